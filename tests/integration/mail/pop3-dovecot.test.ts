import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectPop3, Pop3Error, type Pop3ConnectOptions } from "../../../lib/mail/pop3";
import { startDovecot, type Dovecot } from "../../harness/dovecot";

let dovecot: Dovecot;

// Messages whose bytes stress the client: dot-stuffed lines, a line that is a lone dot,
// 8-bit bytes, a long line, and one large enough to arrive in many TLS records.
const messages: Buffer[] = [
  Buffer.from("From: a@example.com\r\nTo: alice@example.com\r\nSubject: one\r\nMessage-ID: <one@example.com>\r\n\r\nHello\r\n", "latin1"),
  Buffer.from(
    "From: b@example.com\r\nSubject: dots\r\nMessage-ID: <dots@example.com>\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n\r\n",
    "latin1",
  ),
  Buffer.concat([
    Buffer.from("From: c@example.com\r\nSubject: =?utf-8?q?8bit?=\r\nContent-Transfer-Encoding: 8bit\r\nMessage-ID: <8bit@example.com>\r\n\r\n"),
    Buffer.from("Grüße, ünïcödé and raw \xe9\xff bytes\r\n", "latin1"),
    Buffer.from(`${"x".repeat(5000)}\r\n`),
  ]),
  Buffer.concat([
    Buffer.from("From: d@example.com\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n"),
    Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i % 7 === 0 ? `.line ${i}\r\n` : `line ${i} of the big message\r\n`)).join("")),
  ]),
];

beforeAll(async () => {
  dovecot = await startDovecot();
  await dovecot.addUser("alice", "alice-password");
  await dovecot.deliverMany("alice", messages);
});
afterAll(async () => {
  await dovecot?.destroy();
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const modes: Array<[string, () => Pop3ConnectOptions]> = [
  ["POP3S (implicit TLS)", () => ({ host: dovecot.host, port: dovecot.ports.pop3s, tls: "implicit", ca: dovecot.pki.caPem, timeoutMs: 5000 })],
  ["POP3 + STLS", () => ({ host: dovecot.host, port: dovecot.ports.pop3, tls: "starttls", ca: dovecot.pki.caPem, timeoutMs: 5000 })],
];

describe.each(modes)("%s", (_name, options) => {
  test("signs in, lists, and RETR returns exactly the delivered bytes", async () => {
    const client = await connectPop3(options());
    expect(client.secure).toBe(true);
    expect((await client.capa()).has("UIDL")).toBe(true);
    await client.login("alice", "alice-password");
    expect((await client.stat()).count).toBe(messages.length);
    const list = await client.list();
    expect(list.map((m) => m.n)).toEqual([1, 2, 3, 4]);
    for (const [i, expected] of messages.entries()) {
      const got = await readAll(await client.retr(i + 1));
      expect(got.equals(expected), `message ${i + 1}`).toBe(true);
      expect(list[i].size).toBe(expected.length);
    }
    await client.quit();
  });

  test("TOP returns the headers and the first body lines", async () => {
    const client = await connectPop3(options());
    await client.login("alice", "alice-password");
    const top = (await readAll(await client.top(2, 3))).toString("latin1");
    expect(top).toBe("From: b@example.com\r\nSubject: dots\r\nMessage-ID: <dots@example.com>\r\n\r\n.leading dot\r\n..two dots\r\n.\r\n");
    await client.quit();
  });
});

test("UIDL is stable across sessions, and new mail does not change the old UIDLs", async () => {
  await dovecot.addUser("bob", "bob-password");
  await dovecot.deliverMany("bob", messages.slice(0, 2));
  const session = async (o: Pop3ConnectOptions) => {
    const client = await connectPop3(o);
    await client.login("bob", "bob-password");
    const uidl = await client.uidl();
    await client.quit();
    return uidl;
  };
  const first = await session(modes[0][1]());
  expect(first).toHaveLength(2);
  expect(new Set(first.map((u) => u.uidl)).size).toBe(2);
  expect(await session(modes[1][1]())).toEqual(first);
  await dovecot.deliver("bob", messages[2]);
  const later = await session(modes[0][1]());
  expect(later.slice(0, 2)).toEqual(first);
  expect(later).toHaveLength(3);
  expect(first.map((u) => u.uidl)).not.toContain(later[2].uidl);
});

test("a wrong password fails with authenticationFailed", async () => {
  const client = await connectPop3(modes[0][1]());
  const err = await client.login("alice", "wrong-password").catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Pop3Error);
  expect(err).toMatchObject({ code: "POP3_ERR", command: "PASS", authenticationFailed: true });
  expect((err as Error).message).not.toContain("wrong-password");
  client.close();
});

test("SASL PLAIN and LOGIN sign in too", async () => {
  for (const mechanism of ["PLAIN", "LOGIN"] as const) {
    const client = await connectPop3(modes[0][1]());
    await client.authenticate(mechanism, "alice", "alice-password");
    expect((await client.stat()).count).toBe(messages.length);
    await client.quit();
  }
});

test("the test CA must be trusted explicitly", async () => {
  await expect(connectPop3({ ...modes[0][1](), ca: undefined })).rejects.toMatchObject({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
});
