// The parse pool (lib/mail/parse-pool.ts): sync parses on worker threads, and what comes back
// must be what parsing on the calling thread gives — headers in Japanese, bodies, attachments,
// the content hash — for sources in plain and in shared memory.
import MailComposer from "nodemailer/lib/mail-composer";
import { afterAll, expect, test, vi } from "vitest";

vi.stubEnv("MAILROOM_PARSE_THREADS", "1");
const { closeParsePool, parsedOnThreads, parseSource, sharedSourceBuffer, startParsePool } = await import("../../../lib/mail/parse-pool");
const { hashSource, parseMessage } = await import("../../../lib/mail/parse-message");

afterAll(() => closeParsePool());

async function sample(): Promise<Buffer> {
  return new MailComposer({
    from: "山田 太郎 <taro@example.jp>",
    to: "Alice <alice@example.com>, 佐藤 <sato@example.jp>",
    subject: "請求書の送付について",
    date: new Date(Date.UTC(2026, 11, 1, 9, 30)),
    messageId: "<pool.1@example.jp>",
    inReplyTo: "<parent@example.jp>",
    text: "お世話になっております。請求書を添付します。",
    html: "<p>お世話になっております。</p>",
    attachments: [
      { filename: "請求書.pdf", content: Buffer.alloc(300_000, 7), contentType: "application/pdf" },
      { filename: "logo.png", content: Buffer.alloc(1000, 1), contentType: "image/png", cid: "logo@x" },
    ],
  })
    .compile()
    .build();
}

test("a message parsed on a parse thread comes back as parsing here gives it, with its hash", async () => {
  await startParsePool();
  const raw = await sample();
  const before = parsedOnThreads();
  const { parsed, contentHash } = await parseSource(raw);
  expect(parsedOnThreads()).toBe(before + 1);
  expect(parsed).toEqual(await parseMessage(raw));
  expect(contentHash).toBe(hashSource(raw));
  expect(parsed.subject).toBe("請求書の送付について");
  expect(parsed.from).toEqual({ name: "山田 太郎", address: "taro@example.jp" });
  expect(parsed.attachments.map((a) => [a.filename, a.sizeBytes]).sort()).toEqual([
    ["logo.png", 1000],
    ["請求書.pdf", 300_000],
  ]);
  expect(parsed.date).toEqual(new Date(Date.UTC(2026, 11, 1, 9, 30)));
});

test("a source in shared memory, and one that is a slice of a larger buffer, parse the same", async () => {
  const raw = await sample();
  const shared = sharedSourceBuffer(raw.length);
  raw.copy(shared);
  expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
  const padded = Buffer.concat([Buffer.from("junk before"), raw, Buffer.from("junk after")]);
  const slice = padded.subarray(11, 11 + raw.length);
  const before = parsedOnThreads();
  const [a, b, c] = await Promise.all([parseSource(raw), parseSource(shared), parseSource(slice)]);
  expect(parsedOnThreads()).toBe(before + 3);
  expect(b).toEqual(a);
  expect(c).toEqual(a);
});

test("a malformed source comes back flagged, not as an error", async () => {
  const raw = Buffer.from("Content-Type: multipart/mixed; boundary=\"x\"\r\nSubject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64\u0000\r\n");
  const { parsed } = await parseSource(raw);
  expect(parsed).toEqual(await parseMessage(raw));
  expect(parsed.subject).toBe("こんにちは");
});
