// A generated corpus of malformed and hostile messages (issue 8 "Hostile input"). Each entry
// has a category and a name; the raw bytes are built here, deterministically, so a failure
// names the exact message that caused it.

export type HostileMessage = { category: string; name: string; raw: Buffer };

const CRLF = "\r\n";
const b = (s: string | Buffer) => (typeof s === "string" ? Buffer.from(s, "latin1") : s);
const utf8 = (s: string) => Buffer.from(s, "utf8");

function headers(i: number, over: Record<string, string | null> = {}): string {
  const base: Record<string, string | null> = {
    From: `"Hostile ${i}" <hostile${i}@example.org>`,
    To: "victim@example.com",
    Subject: `hostile ${i}`,
    Date: new Date(Date.UTC(2026, 1, 1) + i * 60_000).toUTCString(),
    "Message-ID": `<hostile.${i}@example.org>`,
    "MIME-Version": "1.0",
  };
  const merged = { ...base, ...over };
  return Object.entries(merged)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}`)
    .join(CRLF);
}

function msg(i: number, over: Record<string, string | null>, body: string | Buffer): Buffer {
  return Buffer.concat([b(headers(i, over) + CRLF + CRLF), b(body)]);
}

/** Nested multiparts `depth` levels deep, a text leaf at the bottom. */
function nested(depth: number, closeThem: boolean): string {
  let open = "";
  let close = "";
  for (let d = 0; d < depth; d++) {
    open += `--b${d}${CRLF}Content-Type: multipart/mixed; boundary="b${d + 1}"${CRLF}${CRLF}`;
    if (closeThem) close = `--b${d}--${CRLF}` + close;
  }
  return open + `--b${depth}${CRLF}Content-Type: text/plain${CRLF}${CRLF}deep leaf${CRLF}--b${depth}--${CRLF}` + close;
}

/** message/rfc822 inside message/rfc822, `depth` times. */
function nestedRfc822(depth: number): string {
  let inner = `Subject: innermost${CRLF}Content-Type: text/plain${CRLF}${CRLF}core${CRLF}`;
  for (let d = 0; d < depth; d++) inner = `Subject: level ${d}${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}${inner}`;
  return inner;
}

/** The whole corpus: at least 300 messages. */
export function hostileCorpus(): HostileMessage[] {
  const out: HostileMessage[] = [];
  let i = 0;
  const add = (category: string, name: string, make: (i: number) => Buffer) => {
    const n = i++;
    out.push({ category, name, raw: make(n) });
  };

  // Boundaries: broken, missing, mismatched, absurd.
  const boundaryCases: Array<[string, string, string]> = [
    ["declared, never used", `multipart/mixed; boundary="never"`, `just text${CRLF}`],
    ["no closing boundary", `multipart/mixed; boundary="x"`, `--x${CRLF}Content-Type: text/plain${CRLF}${CRLF}open ended${CRLF}`],
    ["missing boundary parameter", `multipart/mixed`, `--x${CRLF}Content-Type: text/plain${CRLF}${CRLF}part${CRLF}--x--${CRLF}`],
    ["empty boundary", `multipart/mixed; boundary=""`, `--${CRLF}${CRLF}part${CRLF}----${CRLF}`],
    ["boundary of 5000 characters", `multipart/mixed; boundary="${"q".repeat(5000)}"`, `--${"q".repeat(5000)}${CRLF}${CRLF}p${CRLF}--${"q".repeat(5000)}--${CRLF}`],
    ["mismatched closing boundary", `multipart/alternative; boundary="a"`, `--a${CRLF}Content-Type: text/plain${CRLF}${CRLF}t${CRLF}--b--${CRLF}`],
    ["boundary inside a part", `multipart/mixed; boundary="z"`, `--z${CRLF}Content-Type: multipart/mixed; boundary="z"${CRLF}${CRLF}--z${CRLF}${CRLF}recursive${CRLF}--z--${CRLF}--z--${CRLF}`],
    ["parts without headers", `multipart/mixed; boundary="h"`, `--h${CRLF}--h${CRLF}--h${CRLF}--h--${CRLF}`],
    ["unquoted boundary with specials", `multipart/mixed; boundary=a;b=c"d`, `--a;b=c"d${CRLF}${CRLF}x${CRLF}`],
    ["preamble only", `multipart/mixed; boundary="p"`, `this is a preamble and nothing else${CRLF}`],
    ["10,000 empty parts", `multipart/mixed; boundary="e"`, `--e${CRLF}${CRLF}${CRLF}`.repeat(10_000) + `--e--${CRLF}`],
    ["multipart with empty body", `multipart/mixed; boundary="x"`, ``],
  ];
  for (const [name, type, body] of boundaryCases) {
    for (const variant of ["", "alternative", "related"]) {
      add("boundaries", `${name}${variant ? ` (${variant})` : ""}`, (n) => msg(n, { "Content-Type": variant ? type.replace(/multipart\/\w+/, `multipart/${variant}`) : type }, body));
    }
  }

  // Deep nesting.
  for (const depth of [50, 100, 200, 500, 1000]) {
    add("nesting", `${depth}-deep multipart, closed`, (n) => msg(n, { "Content-Type": `multipart/mixed; boundary="b0"` }, nested(depth, true)));
    add("nesting", `${depth}-deep multipart, never closed`, (n) => msg(n, { "Content-Type": `multipart/mixed; boundary="b0"` }, nested(depth, false)));
    add("nesting", `${depth}-deep message/rfc822`, (n) => msg(n, { "Content-Type": "message/rfc822" }, nestedRfc822(depth)));
  }

  // Invalid and unknown charsets, in the body and in encoded words.
  const charsets = ["utf-8x", "x-unknown-charset", "", "../../etc/passwd", "utf-7", "ucs-4", "iso-8859-99", "windows-9999", "x".repeat(2000), "utf-16", "utf-32", "gb18030", "\"utf-8", "koi8-r;;;", "unicode-1-1-utf-7", "csISO2022JP"];
  for (const cs of charsets) {
    add("charsets", `body charset ${JSON.stringify(cs.slice(0, 40))}`, (n) => msg(n, { "Content-Type": `text/plain; charset=${cs}` }, b(Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x0a]))));
    add("charsets", `html charset ${JSON.stringify(cs.slice(0, 40))}`, (n) => msg(n, { "Content-Type": `text/html; charset="${cs}"` }, b(`<p>caf\xe9 \xff\xfe</p>${CRLF}`)));
    add("charsets", `subject charset ${JSON.stringify(cs.slice(0, 40))}`, (n) => msg(n, { Subject: `=?${cs}?B?${Buffer.from("hello \xff").toString("base64")}?=` }, `body${CRLF}`));
  }

  // Japanese encodings with errors.
  // "日本語のテキスト" in each encoding, as bytes (no encoder needed).
  const jis = Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x38, 0x6c, 0x24, 0x4e, 0x25, 0x46, 0x25, 0x2d, 0x25, 0x39, 0x25, 0x48, 0x1b, 0x28, 0x42]);
  const sjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x82, 0xcc, 0x83, 0x65, 0x83, 0x4c, 0x83, 0x58, 0x83, 0x67]);
  const jpCases: Array<[string, string, Buffer]> = [
    ["ISO-2022-JP, valid", "iso-2022-jp", jis],
    ["ISO-2022-JP, escape never closed", "iso-2022-jp", jis.subarray(0, jis.length - 3)],
    ["ISO-2022-JP, truncated escape", "iso-2022-jp", Buffer.concat([Buffer.from([0x1b, 0x24]), Buffer.from("tail")])],
    ["ISO-2022-JP, 8-bit bytes inside", "iso-2022-jp", Buffer.concat([jis, Buffer.from([0x1b, 0x24, 0x42, 0xff, 0xfe, 0x80, 0x1b, 0x28, 0x42])])],
    ["ISO-2022-JP, odd byte count in kanji mode", "iso-2022-jp", Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x1b, 0x28, 0x42])],
    ["ISO-2022-JP, unknown escape", "iso-2022-jp", Buffer.from([0x1b, 0x26, 0x40, 0x1b, 0x24, 0x29, 0x43, 0x41])],
    ["Shift_JIS, valid", "shift_jis", sjis],
    ["Shift_JIS, lone lead byte at end", "shift_jis", Buffer.concat([sjis, Buffer.from([0x82])])],
    ["Shift_JIS, invalid trail bytes", "shift_jis", Buffer.from([0x82, 0x20, 0x83, 0x0a, 0x81, 0x7f, 0xfc, 0xfc])],
    ["Shift_JIS, 0xFF and 0x80 bytes", "shift_jis", Buffer.from([0xff, 0x80, 0xa0, 0xfd, 0xfe, 0x41])],
    ["EUC-JP labelled Shift_JIS", "shift_jis", Buffer.from([0xc6, 0xfc, 0xcb, 0xdc, 0xb8, 0xec])],
    ["UTF-8 labelled ISO-2022-JP", "iso-2022-jp", utf8("日本語")],
  ];
  for (const [name, cs, body] of jpCases) {
    add("japanese", `${name} (body)`, (n) => msg(n, { "Content-Type": `text/plain; charset=${cs}`, "Content-Transfer-Encoding": "7bit" }, Buffer.concat([body, b(CRLF)])));
    add("japanese", `${name} (base64 body)`, (n) => msg(n, { "Content-Type": `text/plain; charset=${cs}`, "Content-Transfer-Encoding": "base64" }, body.toString("base64") + CRLF));
    add("japanese", `${name} (subject B)`, (n) => msg(n, { Subject: `=?${cs}?B?${body.toString("base64")}?=` }, `x${CRLF}`));
    add("japanese", `${name} (raw 8-bit subject)`, (n) => Buffer.concat([b(headers(n, { Subject: null })), b(`${CRLF}Subject: `), body, b(`${CRLF}${CRLF}x${CRLF}`)]));
    add("japanese", `${name} (filename)`, (n) =>
      msg(n, { "Content-Type": `multipart/mixed; boundary="j"` }, Buffer.concat([b(`--j${CRLF}Content-Type: application/octet-stream; name="=?${cs}?B?${body.toString("base64")}?="${CRLF}Content-Disposition: attachment; filename*=${cs}''${encodeURIComponent(body.toString("latin1"))}${CRLF}${CRLF}data${CRLF}--j--${CRLF}`)])),
    );
  }

  // NUL bytes.
  const nulCases: Array<[string, (n: number) => Buffer]> = [
    ["in the body", (n) => msg(n, {}, Buffer.from("before\0after\0\0\0\r\n"))],
    ["in the subject", (n) => msg(n, { Subject: "sub\0ject" }, "x\r\n")],
    ["in the From name", (n) => msg(n, { From: `"Na\0me" <nul@example.org>` }, "x\r\n")],
    ["in the Message-ID", (n) => msg(n, { "Message-ID": `<nul\0id.${n}@example.org>` }, "x\r\n")],
    ["in a header name", (n) => Buffer.concat([b(headers(n)), b("\r\nX-N\0ul: v\r\n\r\nx\r\n")])],
    ["in an attachment file name", (n) => msg(n, { "Content-Type": `multipart/mixed; boundary="n"` }, `--n\r\nContent-Disposition: attachment; filename="a\0b.txt"\r\n\r\ndata\r\n--n--\r\n`)],
    ["in base64 content", (n) => msg(n, { "Content-Transfer-Encoding": "base64" }, Buffer.from("zero\0bytes\0").toString("base64") + "\r\n")],
    ["in an HTML body", (n) => msg(n, { "Content-Type": "text/html" }, "<p>a\0b</p><scr\0ipt>alert(1)</scr\0ipt>\r\n")],
    ["1 MB of NULs", (n) => msg(n, {}, Buffer.alloc(1024 * 1024))],
    ["in a date", (n) => msg(n, { Date: "Mon, 2 Feb 2026 10:00:00 +0000\0" }, "x\r\n")],
  ];
  for (const [name, make] of nulCases) for (const rep of [1, 2]) add("nul", `${name}${rep > 1 ? " (again)" : ""}`, make);

  // Huge header lines and headers.
  const mb = 1024 * 1024;
  const longCases: Array<[string, Record<string, string | null>]> = [
    ["1 MB Subject", { Subject: "S".repeat(mb) }],
    ["1 MB X- header", { "X-Huge": "h".repeat(mb) }],
    ["1 MB From display name", { From: `"${"n".repeat(mb)}" <long@example.org>` }],
    ["1 MB Message-ID", { "Message-ID": `<${"m".repeat(mb)}@example.org>` }],
    ["1 MB folded References", { References: Array.from({ length: 20_000 }, (_, k) => `<r${k}.${"x".repeat(30)}@example.org>`).join("\r\n ") }],
    ["1 MB Content-Type parameter", { "Content-Type": `text/plain; charset=utf-8; x="${"p".repeat(mb)}"` }],
    ["10,000 headers", { ...Object.fromEntries(Array.from({ length: 10_000 }, (_, k) => [`X-H${k}`, `v${k}`])) }],
    ["header of 1 MB without a value separator", { [`X${"k".repeat(mb)}`]: "" }],
  ];
  for (const [name, over] of longCases) add("long-headers", name, (n) => msg(n, over, "body\r\n"));

  // Many recipients.
  const many = (k: number, prefix: string) => Array.from({ length: k }, (_, r) => `"R ${r}" <${prefix}${r}@example.net>`).join(",\r\n ");
  add("recipients", "10,000 To", (n) => msg(n, { To: many(10_000, "to") }, "x\r\n"));
  add("recipients", "10,000 Cc", (n) => msg(n, { Cc: many(10_000, "cc") }, "x\r\n"));
  add("recipients", "10,000 Bcc and Reply-To", (n) => msg(n, { Bcc: many(10_000, "bcc"), "Reply-To": many(10_000, "rt") }, "x\r\n"));
  add("recipients", "10,000 on one unfolded line", (n) => msg(n, { To: Array.from({ length: 10_000 }, (_, r) => `u${r}@example.net`).join(",") }, "x\r\n"));
  add("recipients", "10,000 malformed addresses", (n) => msg(n, { To: Array.from({ length: 10_000 }, (_, r) => `<<${r}@@>`).join(", ") }, "x\r\n"));
  add("recipients", "group syntax abuse", (n) => msg(n, { To: `g1: a@x.org, g2: b@y.org;;, ::::;; "<>" <>, @, <@>` }, "x\r\n"));

  // base64 and quoted-printable garbage.
  const garbage: Array<[string, string, string]> = [
    ["invalid characters", "base64", "!!!!****^^^^%%%%$$$$\r\n"],
    ["wrong padding", "base64", "SGVsbG8===\r\nV29ybGQ\r\n=\r\n"],
    ["binary bytes", "base64", "\xff\xfe\x00\x80\r\n"],
    ["a 2 MB random-looking blob", "base64", "QUJD".repeat(500_000) + "@@@\r\n"],
    ["lines of 100,000 characters", "base64", "QUJD".repeat(25_000) + "\r\n"],
    ["unknown transfer encoding", "x-uuencode-ish", "begin 644 f\r\n`\r\nend\r\n"],
    ["qp with broken escapes", "quoted-printable", "=ZZ=4=\r\n=\r\n==3D=\r\n"],
    ["qp soft line breaks forever", "quoted-printable", "=\r\n".repeat(50_000)],
    ["8bit declared, 8-bit garbage", "8bit", "\x80\x81\x82\xfe\xff\r\n"],
    ["binary declared", "binary", "\x00\x01\x02\r\n"],
  ];
  for (const [name, cte, body] of garbage) {
    add("encodings", `${name} (text)`, (n) => msg(n, { "Content-Transfer-Encoding": cte }, body));
    add("encodings", `${name} (attachment)`, (n) =>
      msg(n, { "Content-Type": `multipart/mixed; boundary="g"` }, `--g\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: ${cte}\r\nContent-Disposition: attachment; filename="g.pdf"\r\n\r\n${body}\r\n--g--\r\n`),
    );
    add("encodings", `${name} (html)`, (n) => msg(n, { "Content-Type": "text/html", "Content-Transfer-Encoding": cte }, body));
  }

  // Missing headers.
  const missing: Array<[string, Record<string, string | null>]> = [
    ["no Date", { Date: null }],
    ["no From", { From: null }],
    ["no Message-ID", { "Message-ID": null }],
    ["no Date, From or Message-ID", { Date: null, From: null, "Message-ID": null }],
    ["no Subject", { Subject: null }],
    ["no To", { To: null }],
    ["no MIME-Version", { "MIME-Version": null }],
    ["empty From", { From: "" }],
    ["empty Message-ID", { "Message-ID": "" }],
    ["Date in the year 99999", { Date: "Mon, 1 Jan 99999 00:00:00 +0000" }],
    ["Date 'yesterday'", { Date: "yesterday" }],
    ["Date with offset +9999", { Date: "Mon, 2 Feb 2026 10:00:00 +9999" }],
    ["Date before 1970", { Date: "Thu, 1 Jan 1900 00:00:00 +0000" }],
    ["From without an address", { From: "Just A Name" }],
    ["From with 50 addresses", { From: Array.from({ length: 50 }, (_, k) => `f${k}@example.org`).join(", ") }],
  ];
  for (const [name, over] of missing) add("missing-headers", name, (n) => msg(n, over, "body\r\n"));
  add("missing-headers", "no headers at all", () => b("\r\nonly a body\r\n"));
  add("missing-headers", "empty message", () => b(""));
  add("missing-headers", "headers only, no blank line", (n) => b(headers(n)));
  add("missing-headers", "one byte", () => b("x"));
  add("missing-headers", "bare LF line endings", (n) => b(headers(n).replace(/\r\n/g, "\n") + "\n\nbody\n"));
  add("missing-headers", "bare CR line endings", (n) => b(headers(n).replace(/\r\n/g, "\r") + "\r\rbody\r"));
  add("missing-headers", "header lines without colons", (n) => b(`${headers(n)}\r\nthis is not a header\r\nneither: is\r\n   this\r\n\r\nbody\r\n`));
  add("missing-headers", "continuation line first", (n) => b(` folded first\r\n${headers(n)}\r\n\r\nbody\r\n`));

  // Duplicate Message-IDs: different messages, the same id (each must be stored).
  for (let k = 0; k < 12; k++) add("duplicate-ids", `same Message-ID, copy ${k}`, (n) => msg(n, { "Message-ID": "<the-same-id@example.org>", Subject: `duplicate ${k}` }, `copy ${k}\r\n`));
  for (let k = 0; k < 4; k++) add("duplicate-ids", `two Message-ID headers, copy ${k}`, (n) => b(`${headers(n)}\r\nMessage-ID: <second.${k}@example.org>\r\n\r\nx\r\n`));
  add("duplicate-ids", "byte-identical twin 1", () => msg(9999, {}, "twin\r\n"));
  add("duplicate-ids", "byte-identical twin 2", () => msg(9999, {}, "twin\r\n"));

  // RFC 2047 abuse.
  const words: Array<[string, string]> = [
    ["invalid base64", "=?utf-8?B?!!!notbase64!!!?="],
    ["invalid Q", "=?utf-8?Q?=ZZ=?="],
    ["unknown encoding letter", "=?utf-8?X?abc?="],
    ["1,000 encoded words", Array.from({ length: 1000 }, () => "=?utf-8?B?w6k=?=").join(" ")],
    ["an encoded word of 100 KB", `=?utf-8?B?${Buffer.from("é".repeat(50_000)).toString("base64")}?=`],
    ["nested encoded words", `=?utf-8?B?${Buffer.from("=?utf-8?B?PHNjcmlwdD4=?=").toString("base64")}?=`],
    ["script in an encoded word", "=?utf-8?Q?<script>alert(1)</script>?="],
    ["CRLF injected in an encoded word", `=?utf-8?B?${Buffer.from("a\r\nBcc: evil@example.net\r\n").toString("base64")}?=`],
    ["language tag abuse", "=?utf-8*en-US-x-${'x'.repeat(300)}?Q?hi?="],
    ["split multibyte across words", `=?utf-8?B?${Buffer.from([0xe6, 0x97]).toString("base64")}?= =?utf-8?B?${Buffer.from([0xa5]).toString("base64")}?=`],
    ["unterminated encoded word", "=?utf-8?B?SGVsbG8"],
    ["empty encoded word", "=?utf-8?B??="],
    ["bidi override characters", `=?utf-8?B?${Buffer.from("\u202eevil\u202dgood").toString("base64")}?=`],
    ["lone surrogate", `=?utf-16?B?${Buffer.from([0x00, 0xd8, 0x41, 0x00]).toString("base64")}?=`],
  ];
  for (const [name, word] of words) {
    add("rfc2047", `${name} (subject)`, (n) => msg(n, { Subject: word }, "x\r\n"));
    add("rfc2047", `${name} (From name)`, (n) => msg(n, { From: `${word} <w@example.org>` }, "x\r\n"));
    add("rfc2047", `${name} (file name)`, (n) =>
      msg(n, { "Content-Type": `multipart/mixed; boundary="w"` }, `--w\r\nContent-Type: text/plain; name="${word}"\r\nContent-Disposition: attachment; filename="${word}"\r\n\r\ndata\r\n--w--\r\n`),
    );
  }

  // Hostile attachment names and types.
  const names = ["../../../../etc/passwd", "..\\..\\windows\\win.ini", "a".repeat(10_000) + ".txt", "\u202egnp.exe", "con", "<img src=x onerror=alert(1)>.png", "\"quoted\".txt", "semi;colon.txt", "new\r\nline.txt", ""];
  for (const name of names) {
    add("attachments", `file name ${JSON.stringify(name.slice(0, 30))}`, (n) =>
      msg(n, { "Content-Type": `multipart/mixed; boundary="f"` }, `--f\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--f\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="${name.replace(/\r\n/g, "")}"\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--f--\r\n`),
    );
  }
  add("attachments", "1,000 attachments", (n) =>
    msg(n, { "Content-Type": `multipart/mixed; boundary="m"` }, Array.from({ length: 1000 }, (_, k) => `--m\r\nContent-Disposition: attachment; filename="f${k}.txt"\r\n\r\n${k}\r\n`).join("") + "--m--\r\n"),
  );
  add("attachments", "Content-Type without subtype", (n) => msg(n, { "Content-Type": "text" }, "x\r\n"));
  add("attachments", "Content-Type garbage", (n) => msg(n, { "Content-Type": ";;;===;;; \"\" /" }, "x\r\n"));
  add("attachments", "message/rfc822 of garbage", (n) => msg(n, { "Content-Type": "message/rfc822" }, "\xff\xfe garbage that is not a message"));
  add("attachments", "TNEF-like binary", (n) => msg(n, { "Content-Type": "application/ms-tnef", "Content-Transfer-Encoding": "base64" }, Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0, 0, 0xff]).toString("base64")));
  add("attachments", "calendar part with garbage", (n) => msg(n, { "Content-Type": "text/calendar; method=REQUEST" }, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n"));

  return out;
}
