import dgram from "node:dgram";
import net from "node:net";
import * as dnsPacket from "dns-packet";

export type StubRecords = {
  MX?: { preference: number; exchange: string }[];
  SRV?: { priority: number; weight: number; port: number; target: string }[];
};

export type DnsStub = {
  /** "127.0.0.1:<port>", for Resolver.setServers. */
  server: string;
  port: number;
  /** The zone: lower-case names (no trailing dot) and their records; change it at will between queries. */
  zone: Map<string, StubRecords>;
  /** Every question asked, as "TYPE name". */
  queries: string[];
  close(): Promise<void>;
};

/**
 * A tiny authoritative DNS server on loopback (UDP and TCP, the same port) for the
 * settings discovery tests: answers MX and SRV questions from `zone`, NXDOMAIN for
 * names it does not know and an empty answer for other types. Built on the
 * dns-packet encoder, so the answers are real DNS messages that node's resolver
 * (c-ares) parses as it would any server's.
 */
export async function startDnsStub(port = 0): Promise<DnsStub> {
  const zone = new Map<string, StubRecords>();
  const queries: string[] = [];
  const answer = (query: Buffer): Buffer => {
    const q = dnsPacket.decode(query);
    const question = q.questions?.[0];
    if (!question) return dnsPacket.encode({ type: "response", id: q.id, flags: dnsPacket.RECURSION_DESIRED, questions: [] });
    const name = question.name.toLowerCase().replace(/\.$/, "");
    queries.push(`${question.type} ${name}`);
    const records = zone.get(name);
    const answers: dnsPacket.Answer[] = [];
    if (records && question.type === "MX") for (const mx of records.MX ?? []) answers.push({ type: "MX", name: question.name, ttl: 60, data: mx });
    if (records && question.type === "SRV") for (const srv of records.SRV ?? []) answers.push({ type: "SRV", name: question.name, ttl: 60, data: srv });
    return dnsPacket.encode({
      type: "response",
      id: q.id,
      // Authoritative answer; NXDOMAIN (rcode 3) for an unknown name.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | (records ? 0 : 3),
      questions: q.questions,
      answers,
    });
  };

  const udp = dgram.createSocket("udp4");
  udp.on("message", (msg, rinfo) => {
    try {
      udp.send(answer(msg), rinfo.port, rinfo.address);
    } catch {
      // A packet that is not a DNS query: ignore it, as a server would.
    }
  });
  await new Promise<void>((resolve) => udp.bind(port, "127.0.0.1", resolve));
  const bound = udp.address().port;
  // TCP on the same port, for answers too large for UDP (and resolvers that retry over TCP).
  const tcp = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const reply = answer(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        const framed = Buffer.alloc(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => tcp.listen(bound, "127.0.0.1", resolve));
  return {
    server: `127.0.0.1:${bound}`,
    port: bound,
    zone,
    queries,
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
