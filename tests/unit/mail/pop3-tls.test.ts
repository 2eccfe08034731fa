import type { Readable } from "node:stream";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { connectPop3 } from "../../../lib/mail/pop3";
import { createTestPki, type TestPki } from "../../harness/tls";
import { startFakePop3, stuff, type FakePop3 } from "./fake-pop3-server";

let pki: TestPki;
let server: FakePop3 | undefined;
beforeAll(() => {
  pki = createTestPki();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const message = Buffer.from("Subject: tls\r\n\r\n.dot\r\n..\r\nend\r\n");
const retrReply = Buffer.concat([Buffer.from("+OK\r\n"), stuff(message)]);

describe("POP3 over TLS", () => {
  // The bug that rules out the npm clients: the terminator split across TLS records.
  test.each([[[1]], [[2]], [[retrReply.length - 3, 1]], [[retrReply.length - 2, 1]], [[retrReply.length - 1, 1]]])(
    "implicit TLS, RETR reply cut into TLS records of %j bytes",
    async (pieces) => {
      server = await startFakePop3({
        tls: { key: pki.keyPem, cert: pki.certPem, implicit: true },
        onCommand: (line, s) => (line.startsWith("RETR") ? s.send(retrReply, pieces) : s.send("+OK\r\n")),
      });
      const c = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "implicit", ca: pki.caPem, timeoutMs: 3000, idleTimeoutMs: 3000 });
      expect(c.secure).toBe(true);
      expect((await readAll(await c.retr(1))).equals(message)).toBe(true);
      await c.quit();
    },
  );

  test("STLS upgrades the session and commands continue inside TLS", async () => {
    server = await startFakePop3({
      tls: { key: pki.keyPem, cert: pki.certPem, implicit: false },
      onCommand: async (line, s) => {
        if (line === "STLS") {
          await s.send("+OK Begin TLS negotiation\r\n");
          return s.startTls();
        }
        return line.startsWith("RETR") ? s.send(retrReply, [3]) : s.send("+OK 1 10\r\n");
      },
    });
    const c = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "starttls", ca: pki.caPem, timeoutMs: 3000 });
    expect(c.secure).toBe(true);
    expect(await c.stat()).toEqual({ count: 1, size: 10 });
    expect((await readAll(await c.retr(1))).equals(message)).toBe(true);
    expect(server.commands).toEqual(["STLS", "STAT", "RETR 1"]);
  });

  test("a certificate from an unknown CA is rejected with the TLS code", async () => {
    server = await startFakePop3({ tls: { key: pki.untrusted.keyPem, cert: pki.untrusted.certPem, implicit: true }, onCommand: () => {} });
    await expect(connectPop3({ host: "127.0.0.1", port: server.port, tls: "implicit", ca: pki.caPem, timeoutMs: 3000 })).rejects.toMatchObject({
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
      command: "connect",
    });
  });

  test("the test CA is not trusted unless passed as `ca`", async () => {
    server = await startFakePop3({ tls: { key: pki.keyPem, cert: pki.certPem, implicit: true }, onCommand: () => {} });
    await expect(connectPop3({ host: "127.0.0.1", port: server.port, tls: "implicit", timeoutMs: 3000 })).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  test("implicit TLS against a plain-text server fails fast with the TLS error", async () => {
    server = await startFakePop3({ onCommand: () => {} });
    const err = await connectPop3({ host: "127.0.0.1", port: server.port, tls: "implicit", ca: pki.caPem, timeoutMs: 3000 }).catch((e) => e);
    expect(err).toMatchObject({ name: "Pop3Error", command: "connect" });
    expect(`${err.code} ${err.message}`).toMatch(/WRONG_VERSION_NUMBER|wrong version number|packet length too long|EPROTO/i);
  });
});
