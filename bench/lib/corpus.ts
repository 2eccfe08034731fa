import MailComposer from "nodemailer/lib/mail-composer";
import { seededRandom } from "./stats";

/*
 * A deterministic corpus of "realistic" incoming mail, built with nodemailer's MailComposer:
 * sizes spread from ~2 KB to ~50 KB (more small than large, as in a real inbox), ~15% with an
 * attachment, ~30% multipart/alternative with HTML, ~10% Japanese in ISO-2022-JP (the way
 * Japanese mail clients still send it: JIS bytes in a 7bit part, an encoded-word Subject).
 * The same seed gives the same bytes on every machine.
 */

const WORDS = (
  "invoice meeting schedule report quarter budget shipment order customer account review draft update " +
  "project deadline contract proposal team office travel support ticket release version server backup " +
  "please thanks regards attached below tomorrow monday friday week month agenda notes minutes call"
).split(" ");

// Japanese business sentences, each already ISO-2022-JP (ESC $ B … ESC ( B), base64 so the source stays ASCII.
const JIS_LINES = [
  "GyRCJCpAJE9DJEskSiRDJEYkKiRqJF4kOSEjGyhC", "GyRCTWg9NSROMnE1RCRON28kRyQ0TyJNbSQkJD8kNyReJDkhIxsoQg==",
  "GyRCO3FOQSRyRTpJVSQkJD8kNyReJDckPyROJEchIiQ0M05HJyQvJEAkNSQkISMbKEI=",
  "GyRCJDRJVExAJEpFQCQsJDQkNiQkJF4kNyQ/JGkhIiQqNSQ3WiRLJCpMZCQkOWckbyQ7JC8kQCQ1JCQhIxsoQg==",
  "GyRCMj9CNCRoJG0kNyQvJCo0aiQkPz0kNz5lJDIkXiQ5ISMbKEI=", "GyRCS1xGfCROPVAyWU09RGokTzBKMjwkTiRIJCokaiRHJDkhIxsoQg==",
  "GyRCQEE1YT1xJE5ILzlURnwkckpROTkkJCQ/JDckXiQ3JD8hIxsoQg==",
  "GyRCQkckQTlnJG8kOyRORnxEeCRyRDRAMCQ1JDskRiQkJD8kQCQxJF4kOSRHJDckZyQmJCshIxsoQg==",
  "GyRCRWw1fjtZPFIkTjFENkhJdCRoJGpFPkF3JCQkPyQ3JF4kOSEjGyhC", "GyRCPzckNyQkJTclOSVGJWAkTkYzRn4kSyREJCQkRkBiTEAycSRyMys6RSQ3JF4kOSEjGyhC",
  "GyRCQGhGfCRPJCpLOyQ3JCQkSCQzJG0kIiRqJCwkSCQmJDQkNiQkJF4kNyQ/ISMbKEI=",
  "GyRCOl84SyROM05HJyQsPGgkbDwhQmghIjJ+JGEkRiQ0TyJNbSQkJD8kNyReJDkhIxsoQg==",
].map((b) => Buffer.from(b, "base64"));
/** "会議資料の送付について" as an ISO-2022-JP encoded-word. */
const JIS_SUBJECT = "=?ISO-2022-JP?B?GyRCMnE1RDtxTkEkTkF3SVUkSyREJCQkRhsoQg==?=";

export type CorpusStats = { count: number; bytes: number; attachments: number; html: number; japanese: number };

function words(rng: () => number, bytes: number): string {
  const lines: string[] = [];
  let line = "";
  let size = 0;
  while (size < bytes) {
    const w = WORDS[Math.floor(rng() * WORDS.length)];
    line += (line ? " " : "") + w;
    if (line.length > 66) {
      lines.push(line);
      size += line.length + 2;
      line = "";
    }
  }
  if (line) lines.push(line);
  return lines.join("\r\n");
}

/** Target total size: log-uniform between 2 KB and 50 KB. */
function targetSize(rng: () => number): number {
  return Math.round(2048 * Math.exp(rng() * Math.log(50 / 2)));
}

/** Message `i` of the corpus seeded with `seed`, as raw RFC 5322 bytes. */
export async function corpusMessage(seed: number, i: number): Promise<{ raw: Buffer; attachment: boolean; html: boolean; japanese: boolean }> {
  const rng = seededRandom(seed * 1_000_003 + i);
  const size = targetSize(rng);
  const attachment = rng() < 0.15;
  const japanese = !attachment && rng() < 0.12;
  const html = !japanese && rng() < 0.33;
  const date = new Date(Date.UTC(2026, 0, 1) + i * 97_000);
  const from = `"${WORDS[i % WORDS.length]} Sender" <sender${i % 97}@example.org>`;
  const mail: ConstructorParameters<typeof MailComposer>[0] = {
    from,
    to: "Alice <alice@example.com>",
    cc: i % 4 === 0 ? "bob@example.com, carol@example.com" : undefined,
    subject: `${words(rng, 30).split("\r\n")[0]} #${i}`,
    date,
    messageId: `<bench.${seed}.${i}@example.org>`,
    headers: { "X-Bench-Seq": String(i) },
  };
  // Leave room for headers (~600 bytes) in the target size.
  const bodyBytes = Math.max(200, size - 700);
  if (attachment) {
    // Base64 grows 4/3: most of the size is the attachment, a short text part goes along.
    const binary = Buffer.alloc(Math.floor(((bodyBytes - 400) * 3) / 16) * 4);
    for (let k = 0; k < binary.length; k += 4) binary.writeUInt32LE(Math.floor(rng() * 0xffffffff), k);
    mail.text = words(rng, 300);
    mail.attachments = [{ filename: `report-${i}.pdf`, content: binary, contentType: "application/pdf" }];
  } else if (japanese) {
    const lines: Buffer[] = [];
    let n = 0;
    while (n < bodyBytes) {
      const l = JIS_LINES[Math.floor(rng() * JIS_LINES.length)];
      lines.push(l, Buffer.from("\r\n"));
      n += l.length + 2;
    }
    mail.subject = undefined;
    mail.headers = { ...(mail.headers as Record<string, string>), Subject: { prepared: true, value: JIS_SUBJECT } } as never;
    mail.text = " ";
    const root = new MailComposer(mail).compile();
    root.setHeader("Content-Type", "text/plain; charset=ISO-2022-JP");
    root.setHeader("Content-Transfer-Encoding", "7bit");
    root.setContent(Buffer.concat(lines));
    return { raw: await root.build(), attachment, html, japanese };
  } else if (html) {
    const text = words(rng, Math.floor(bodyBytes * 0.4));
    mail.text = text;
    mail.html = `<!doctype html><html><body><table width="100%"><tr><td style="font-family:Arial">${text
      .split("\r\n")
      .map((l) => `<p style="margin:0 0 8px 0">${l}</p>`)
      .join("\r\n")}</td></tr></table><img src="https://tracker.example.org/p.gif?i=${i}" width="1" height="1"></body></html>`;
  } else {
    mail.text = words(rng, bodyBytes);
  }
  const raw = await new MailComposer(mail).compile().build();
  return { raw, attachment, html, japanese };
}

/** `count` messages of the corpus with their totals. */
export async function buildCorpus(seed: number, count: number): Promise<{ messages: Buffer[]; stats: CorpusStats }> {
  const messages: Buffer[] = [];
  const stats: CorpusStats = { count, bytes: 0, attachments: 0, html: 0, japanese: 0 };
  for (let i = 0; i < count; i++) {
    const m = await corpusMessage(seed, i);
    messages.push(m.raw);
    stats.bytes += m.raw.length;
    if (m.attachment) stats.attachments++;
    if (m.html) stats.html++;
    if (m.japanese) stats.japanese++;
  }
  return { messages, stats };
}
