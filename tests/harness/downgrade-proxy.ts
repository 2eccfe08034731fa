import net from "node:net";

export type DowngradeProxy = {
  port: number;
  /** Every byte the client sent through the proxy, so a test can look for a password in the clear. */
  clientBytes: () => Buffer;
  stop: () => Promise<void>;
};

/**
 * A loopback TCP proxy to `target` that records what the client sends and, with
 * `stripStartTls`, plays the man in the middle who removes STARTTLS from the server's
 * announcements (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO) until the client asks for TLS
 * anyway. It does not break TLS itself: once a handshake starts, bytes pass unchanged.
 */
export async function startDowngradeProxy(target: { host: string; port: number }, o: { stripStartTls: boolean }): Promise<DowngradeProxy> {
  const sockets = new Set<net.Socket>();
  const recorded: Buffer[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.host, port: target.port });
    let tlsAsked = false;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (d: Buffer) => {
      recorded.push(d);
      if (/^(\S+ )?(STARTTLS|STLS)\r?$/im.test(d.toString("latin1"))) tlsAsked = true;
      upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      if (!o.stripStartTls || tlsAsked) return void client.write(d);
      const text = d
        .toString("latin1")
        .replace(/ STARTTLS\b/g, "") // IMAP: "* CAPABILITY IMAP4rev1 … STARTTLS …" and the greeting's [CAPABILITY …]
        .replace(/^STLS\r\n/gm, "") // POP3: a CAPA line
        .replace(/^250-STARTTLS\r\n/gm, ""); // SMTP: an EHLO line
      client.write(Buffer.from(text, "latin1"));
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
  return {
    port,
    clientBytes: () => Buffer.concat(recorded),
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
