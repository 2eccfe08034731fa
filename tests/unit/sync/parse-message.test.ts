import { expect, test } from "vitest";
import { hashSource, parseMessage } from "../../../lib/mail/parse-message";

const crlf = (lines: string[]) => Buffer.from(lines.join("\r\n"));

test("headers, bodies and attachment metadata with IMAP part paths; attachment bytes are not kept", async () => {
  const raw = crlf([
    'From: "Ann Example" <ann@example.com>',
    "To: Team: x@example.com, y@example.com;, z@example.com",
    "Cc: c@example.com",
    "Reply-To: r@example.com",
    "Subject: =?UTF-8?B?5pel5pys6Kqe?= report",
    "Date: Tue, 01 Sep 2026 10:00:00 +0900",
    "Message-ID: <m1@example.com>",
    "In-Reply-To: <p@example.com>",
    "References: <a@x>\r\n <b@x>",
    "MIME-Version: 1.0",
    "Content-Type: multipart/mixed; boundary=XX",
    "",
    "--XX",
    "Content-Type: multipart/alternative; boundary=YY",
    "",
    "--YY",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "hello",
    "--YY",
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p>hello</p>",
    "--YY--",
    "--XX",
    "Content-Type: application/pdf; name=\"a.pdf\"",
    "Content-Disposition: attachment; filename=\"a.pdf\"",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.alloc(3000, 7).toString("base64"),
    "--XX",
    "Content-Type: image/png",
    "Content-ID: <logo@x>",
    "Content-Transfer-Encoding: base64",
    "",
    "AAEC",
    "--XX--",
    "",
  ]);
  const p = await parseMessage(raw);
  expect(p).toMatchObject({
    messageId: "<m1@example.com>",
    from: { name: "Ann Example", address: "ann@example.com" },
    to: [{ address: "x@example.com" }, { address: "y@example.com" }, { address: "z@example.com" }],
    cc: [{ address: "c@example.com" }],
    replyTo: [{ address: "r@example.com" }],
    subject: "日本語 report",
    inReplyTo: "<p@example.com>",
    references: "<a@x> <b@x>",
    text: "hello",
    html: "<p>hello</p>",
    parseError: null,
  });
  expect(p.date?.toISOString()).toBe("2026-09-01T01:00:00.000Z");
  expect(p.attachments).toEqual([
    { filename: "a.pdf", contentType: "application/pdf", sizeBytes: 3000, contentId: null, partPath: "2" },
    { filename: "attachment", contentType: "image/png", sizeBytes: 3, contentId: "<logo@x>", partPath: "3" },
  ]);
});

test("a message the parser rejects comes back with the reason and the headers read so far, never an exception", async () => {
  let raw = "From: m@example.org\r\nSubject: too many parts\r\nMessage-ID: <bad@x>\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n";
  for (let i = 0; i < 1100; i++) raw += `--Z\r\nContent-Type: text/plain\r\n\r\n${i}\r\n`;
  const p = await parseMessage(Buffer.from(raw));
  expect(p.parseError).toMatch(/child nodes/);
  expect(p).toMatchObject({ subject: "too many parts", messageId: "<bad@x>" });
});

test("NUL characters (which Postgres text refuses) are removed; garbage without headers still parses", async () => {
  const p = await parseMessage(Buffer.from("Subject: a\u0000b\r\n\r\nbody\u0000text\r\n"));
  expect(p.subject).toBe("ab");
  expect(p.text).toBe("bodytext\n");
  const g = await parseMessage(Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 10, 65]));
  expect(g.parseError).toBeNull();
  expect(g.messageId).toBeNull();
});

test("the content hash is the sha256 of the raw bytes", () => {
  expect(hashSource(Buffer.from("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
