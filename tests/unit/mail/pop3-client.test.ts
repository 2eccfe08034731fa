import { createHash, createHmac } from "node:crypto";
import type { Readable } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { connectPop3, Pop3Error, type Pop3Client } from "../../../lib/mail/pop3";
import { closedPort } from "../../harness/tcp";
import { startFakePop3, stuff, type FakeOptions, type FakePop3, type Session } from "./fake-pop3-server";

let server: FakePop3 | undefined;
let client: Pop3Client | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.stop();
  server = undefined;
});

// The fake server speaks no TLS: these tests are about the protocol, so plain sign-in is allowed here.
async function start(options: FakeOptions, idleTimeoutMs = 2000) {
  server = await startFakePop3(options);
  client = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "none", timeoutMs: 2000, idleTimeoutMs, allowUnencrypted: true });
  return client;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A mailbox of fixed messages served with a chosen chunking for multi-line replies. */
function mailbox(messages: Buffer[], pieces?: number[]) {
  return async (line: string, s: Session) => {
    const [verb, arg, arg2] = line.split(" ");
    if (verb === "USER" || verb === "PASS" || verb === "NOOP") return s.send("+OK\r\n");
    if (verb === "QUIT") return s.send("+OK bye\r\n").then(() => s.socket.end());
    if (verb === "STAT") return s.send(`+OK ${messages.length} ${messages.reduce((n, m) => n + m.length, 0)}\r\n`);
    if (verb === "UIDL") return s.send(`+OK\r\n${messages.map((_, i) => `${i + 1} uid-${i + 1}\r\n`).join("")}.\r\n`, pieces);
    if (verb === "LIST") return s.send(`+OK\r\n${messages.map((m, i) => `${i + 1} ${m.length}\r\n`).join("")}.\r\n`, pieces);
    const message = messages[Number(arg) - 1];
    if (!message) return s.send("-ERR no such message\r\n");
    if (verb === "RETR") return s.send(Buffer.concat([Buffer.from("+OK message follows\r\n"), stuff(message)]), pieces);
    if (verb === "TOP") {
      const [head, body = ""] = message.toString("latin1").split(/\r\n\r\n(.*)/s);
      const lines = body.split("\r\n").slice(0, Number(arg2)).map((l) => `${l}\r\n`).join("");
      return s.send(Buffer.concat([Buffer.from("+OK\r\n"), stuff(Buffer.from(`${head}\r\n\r\n${lines}`, "latin1"))]), pieces);
    }
    return s.send("-ERR unknown command\r\n");
  };
}

const message1 = Buffer.from(
  "From: a@example.com\r\nSubject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nmid\r\n\r\n\r\n.\r\nend\r\n",
  "latin1",
);

describe("session basics", () => {
  test("greeting, APOP timestamp, CAPA, login, STAT, LIST, UIDL, QUIT", async () => {
    const c = await start({
      onCommand: async (line, s) => {
        if (line === "CAPA") return s.send("+OK\r\nTOP\r\nUIDL\r\nSASL PLAIN LOGIN\r\nRESP-CODES\r\n.\r\n");
        return mailbox([message1, Buffer.from("x\r\n")])(line, s);
      },
    });
    expect(c.greeting).toBe("fake POP3 ready <1896.697170952@fake.test>");
    expect(c.apopTimestamp).toBe("<1896.697170952@fake.test>");
    expect(c.secure).toBe(false);
    const capa = await c.capa();
    expect(capa.get("SASL")).toEqual(["PLAIN", "LOGIN"]);
    expect(capa.has("UIDL")).toBe(true);
    await c.login("alice", "s3cret");
    expect(await c.stat()).toEqual({ count: 2, size: message1.length + 3 });
    expect(await c.list()).toEqual([{ n: 1, size: message1.length }, { n: 2, size: 3 }]);
    expect(await c.uidl()).toEqual([{ n: 1, uidl: "uid-1" }, { n: 2, uidl: "uid-2" }]);
    await c.quit();
    expect(server!.commands).toEqual(["CAPA", "USER alice", "PASS s3cret", "STAT", "LIST", "UIDL", "QUIT"]);
    await server!.closed();
  });

  test("CAPA answered with -ERR (a pre-RFC 2449 server) reads as no capabilities", async () => {
    const c = await start({ onCommand: (_line, s) => s.send("-ERR what?\r\n") });
    expect((await c.capa()).size).toBe(0);
  });

  test("APOP sends the MD5 of timestamp and password", async () => {
    const c = await start({ onCommand: (_line, s) => s.send("+OK\r\n") });
    await c.apop("alice", "tanstaaf");
    const digest = createHash("md5").update("<1896.697170952@fake.test>tanstaaf").digest("hex");
    expect(server!.commands).toEqual([`APOP alice ${digest}`]);
  });

  test("SASL PLAIN, LOGIN and CRAM-MD5 send what RFC 5034 expects", async () => {
    const challenge = "<12345.67890@fake.test>";
    const c = await start({
      onCommand: (line, s) => {
        if (line === "AUTH CRAM-MD5") return s.send(`+ ${Buffer.from(challenge).toString("base64")}\r\n`);
        if (line.startsWith("AUTH ")) return s.send("+ \r\n");
        if (server!.commands.at(-2) === "AUTH LOGIN") return s.send("+ UGFzc3dvcmQ6\r\n");
        return s.send("+OK welcome\r\n");
      },
    });
    await c.authenticate("PLAIN", "alice", "pw");
    await c.authenticate("LOGIN", "alice", "pw");
    await c.authenticate("CRAM-MD5", "alice", "pw");
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const hmac = createHmac("md5", "pw").update(challenge).digest("hex");
    expect(server!.commands).toEqual([
      "AUTH PLAIN", b64("\0alice\0pw"),
      "AUTH LOGIN", b64("alice"), b64("pw"),
      "AUTH CRAM-MD5", b64(`alice ${hmac}`),
    ]);
  });
});

describe("RETR and TOP", () => {
  const chunkings: Array<[string, number[] | undefined]> = [
    ["one write", undefined],
    ["byte by byte", [1]],
    ["2 bytes", [2]],
    ["3 bytes", [3]],
    ["odd sizes", [5, 1, 7, 2, 11]],
    ["terminator split after CR", [message1.length + 20 + 2]],
  ];
  test.each(chunkings)("returns the exact, unstuffed bytes when the reply comes %s", async (_name, pieces) => {
    const c = await start({ onCommand: mailbox([message1], pieces) });
    expect((await readAll(await c.retr(1))).equals(message1)).toBe(true);
    expect(await c.uidl()).toEqual([{ n: 1, uidl: "uid-1" }]); // the session goes on after the terminator
  });

  test("every cut point of the terminator and a '..' line reaches the client as a separate read", async () => {
    const wire = Buffer.concat([Buffer.from("+OK\r\n"), stuff(message1)]);
    for (let cut = wire.length - 25; cut < wire.length; cut++) {
      const c = await start({ onCommand: (_l, s) => s.send(wire, [cut, wire.length]) });
      expect((await readAll(await c.retr(1))).equals(message1), `cut at ${cut}`).toBe(true);
      c.close();
      await server!.stop();
    }
    server = undefined;
  });

  test("an empty message", async () => {
    const c = await start({ onCommand: mailbox([Buffer.alloc(0)], [1]) });
    expect((await readAll(await c.retr(1))).length).toBe(0);
  });

  test("8-bit bytes and a 1 MB line without a line break in it", async () => {
    const binary = Buffer.concat([Buffer.from("Subject: x\r\n\r\n"), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from("\r\n")]);
    const longLine = Buffer.concat([Buffer.alloc(1024 * 1024, "a"), Buffer.from(".\r\n")]);
    const c = await start({ onCommand: mailbox([binary, longLine], [65_536, 3, 1]) });
    expect((await readAll(await c.retr(1))).equals(binary)).toBe(true);
    expect((await readAll(await c.retr(2))).equals(longLine)).toBe(true);
  });

  test("TOP returns headers and the first lines", async () => {
    const c = await start({ onCommand: mailbox([message1]) });
    const top = (await readAll(await c.top(1, 2))).toString("latin1");
    expect(top).toBe("From: a@example.com\r\nSubject: dots\r\n\r\n.leading dot\r\n..two\r\n");
  });

  test("a 5 MB message is streamed: unread data stays in the socket, not in memory", async () => {
    const pair = Buffer.from(".a line that starts with a dot, stuffed on the wire\r\nplain line of text, 8bit \xe9\r\n", "latin1");
    const big = Buffer.concat(Array.from({ length: Math.ceil((5 * 1024 * 1024) / pair.length) }, () => pair));
    const expected = createHash("sha256").update(big).digest("hex");
    const c = await start({ onCommand: mailbox([big], [64 * 1024]) });
    const stream = await c.retr(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.readableLength).toBeLessThan(1024 * 1024); // paused: not buffered whole
    const hash = createHash("sha256");
    let chunks = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      chunks++;
    }
    expect(hash.digest("hex")).toBe(expected);
    expect(chunks).toBeGreaterThan(10);
  });

  test("commands asked for while a message streams wait their turn", async () => {
    const c = await start({ onCommand: mailbox([message1, Buffer.from("second\r\n")], [7]) });
    const first = await c.retr(1);
    const uidl = c.uidl();
    const second = c.retr(2);
    expect((await readAll(first)).equals(message1)).toBe(true);
    expect(await uidl).toHaveLength(2);
    expect((await readAll(await second)).toString()).toBe("second\r\n");
  });

  test("a stream dropped half-way is drained so the session stays usable", async () => {
    const c = await start({ onCommand: mailbox([Buffer.alloc(2 * 1024 * 1024, "b"), Buffer.from("next\r\n")], [32 * 1024]) });
    const stream = await c.retr(1);
    for await (const _chunk of stream) break; // destroys the stream
    expect((await readAll(await c.retr(2))).toString()).toBe("next\r\n");
  });
});

describe("errors", () => {
  test.each([
    ["-ERR [AUTH] Authentication failed.", "AUTH", true],
    ["-ERR Invalid login", undefined, true],
    ["-ERR [IN-USE] Mailbox is locked by another POP3 session", "IN-USE", false],
    ["-ERR [SYS/TEMP] Try again later", "SYS/TEMP", false],
    ["-ERR [SYS/PERM] Mail system is broken", "SYS/PERM", false],
    ["-ERR [LOGIN-DELAY] Wait 5 minutes", "LOGIN-DELAY", false],
  ])("PASS answered %j", async (reply, responseCode, authenticationFailed) => {
    const c = await start({ onCommand: (line, s) => s.send(line.startsWith("PASS") ? `${reply}\r\n` : "+OK\r\n") });
    const err = await c.login("alice", "wrong").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Pop3Error);
    expect(err).toMatchObject({ code: "POP3_ERR", command: "PASS", responseCode, authenticationFailed });
    expect((err as Pop3Error).message).not.toContain("wrong");
  });

  test("-ERR to RETR fails that command only", async () => {
    const c = await start({ onCommand: mailbox([message1]) });
    await expect(c.retr(9)).rejects.toMatchObject({ code: "POP3_ERR", command: "RETR", response: "no such message", authenticationFailed: false });
    expect(await c.stat()).toEqual({ count: 1, size: message1.length });
  });

  test("a -ERR greeting fails connect with its code", async () => {
    server = await startFakePop3({ greeting: "-ERR [SYS/TEMP] Too many connections", onCommand: () => {} });
    await expect(connectPop3({ host: "127.0.0.1", port: server.port, tls: "none", timeoutMs: 2000 })).rejects.toMatchObject({
      code: "POP3_ERR",
      command: "greeting",
      responseCode: "SYS/TEMP",
    });
  });

  test("a server that never greets times out and the socket is closed", async () => {
    server = await startFakePop3({ greeting: null, onCommand: () => {} });
    const started = Date.now();
    const err = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "none", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ETIMEDOUT", command: "greeting" });
    expect((err as Error).message).toMatch(/No POP3 greeting from 127\.0\.0\.1:\d+ within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    await server.closed();
  });

  test("a command the server never answers times out", async () => {
    server = await startFakePop3({ onCommand: () => {} });
    client = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "none", timeoutMs: 2000, idleTimeoutMs: 200 });
    await expect(client.stat()).rejects.toMatchObject({ code: "ETIMEDOUT", command: "STAT" });
    await server.closed();
    await expect(client.stat()).rejects.toMatchObject({ code: "ECONNCLOSED" });
  });

  test("a RETR that stalls half-way times out on the stream", async () => {
    const c = await start({ onCommand: (_l, s) => s.send("+OK\r\nSubject: x\r\n\r\nhalf") }, 200);
    const stream = await c.retr(1);
    await expect(readAll(stream)).rejects.toMatchObject({ code: "ETIMEDOUT", command: "RETR" });
  });

  test("a connection dropped mid-RETR fails the stream and later commands", async () => {
    const c = await start({ onCommand: (_l, s) => s.send("+OK\r\nSubject: x\r\n\r\nhalf a mess").then(() => s.socket.destroy()) });
    const stream = await c.retr(1);
    await expect(readAll(stream)).rejects.toMatchObject({ code: "ECONNCLOSED", message: expect.stringContaining("during RETR") });
    await expect(c.stat()).rejects.toMatchObject({ code: "ECONNCLOSED" });
  });

  test("a refused connection keeps the socket's code", async () => {
    const port = await closedPort();
    await expect(connectPop3({ host: "127.0.0.1", port, tls: "none", timeoutMs: 2000 })).rejects.toMatchObject({
      name: "Pop3Error",
      code: "ECONNREFUSED",
      command: "connect",
    });
  });

  test("a port out of range fails like any connect error", async () => {
    await expect(connectPop3({ host: "127.0.0.1", port: 70_000, tls: "none", timeoutMs: 2000 })).rejects.toMatchObject({
      name: "Pop3Error",
      code: "ERR_SOCKET_BAD_PORT",
      command: "connect",
    });
  });

  test("STLS refused by the server", async () => {
    server = await startFakePop3({ onCommand: (_l, s) => s.send("-ERR STLS not available\r\n") });
    await expect(connectPop3({ host: "127.0.0.1", port: server.port, tls: "starttls", timeoutMs: 2000 })).rejects.toMatchObject({
      code: "POP3_ERR",
      command: "STLS",
    });
  });

  test("credentials are never written over a plain connection unless allowed, nor with CR, LF or NUL in them", async () => {
    server = await startFakePop3({ onCommand: (_l, s) => s.send("+OK\r\n") });
    const plain = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "none", timeoutMs: 2000 });
    for (const signIn of [() => plain.login("alice", "s3cret"), () => plain.authenticate("PLAIN", "alice", "s3cret"), () => plain.authenticateOAuth("XOAUTH2", "alice", "tok")]) {
      await expect(signIn()).rejects.toMatchObject({ name: "Pop3Error", code: "ENOTLS" });
    }
    plain.close();
    const allowed = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "none", timeoutMs: 2000, allowUnencrypted: true });
    for (const [user, pass] of [["alice", "x\r\nDELE 1"], ["alice\nDELE 1", "pw"], ["alice", "p\0w"]]) {
      await expect(allowed.login(user, pass)).rejects.toMatchObject({ code: "EUNSAFECREDENTIALS", command: "USER" });
      await expect(allowed.authenticate("PLAIN", user, pass)).rejects.toMatchObject({ code: "EUNSAFECREDENTIALS" });
    }
    allowed.close();
    expect(server.commands.filter((c) => /^(USER|PASS|AUTH|DELE)/.test(c))).toEqual([]);
  });
});
