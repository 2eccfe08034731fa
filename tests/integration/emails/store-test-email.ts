import crypto from "node:crypto";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type Mail from "nodemailer/lib/mailer/index.js";
import type postgres from "postgres";
import { searchPairs } from "../../../lib/emails/search-pairs";

export type StoredTestEmail = { id: number; raw: Buffer };

/**
 * Builds a real MIME message with nodemailer's MailComposer, parses it with
 * mailparser (cid links kept, as the sync engine stores them) and inserts the rows
 * the sync engine would (search_cjk_bigrams included): emails, email_sources and email_attachments (position =
 * index from 0, content_id as sent (<...>), part_path = mailparser's part id or "1" for a single-part message, as lib/mail/parse-message.ts does). Shared by the integration and
 * browser tests, so it takes a postgres.js client.
 */
export async function storeTestEmail(
  sql: postgres.Sql,
  mailboxId: string,
  message: Mail.Options,
  extra: { storedAt?: Date; sourceKey?: string; parseError?: string; oversized?: boolean } = {},
): Promise<StoredTestEmail> {
  const raw = await new MailComposer(message).compile().build();
  const parsed = await simpleParser(raw, { keepCidLinks: true });
  const from = parsed.from?.value[0];
  const list = (v: typeof parsed.to) =>
    (Array.isArray(v) ? v : v ? [v] : []).flatMap((a) => a.value).map((a) => ({ name: a.name ?? "", address: a.address ?? "" }));
  const [row] = await sql`
    insert into emails (mailbox_id, source_key, message_id, content_hash, from_address, from_name, to_list, cc_list, reply_to,
      subject, sent_at, in_reply_to, "references", text_body, html_body, size_bytes, has_attachments, parse_error, oversized, stored_at, search_cjk_bigrams)
    values (${mailboxId}, ${extra.sourceKey ?? `test:${crypto.randomUUID()}`}, ${parsed.messageId ?? null},
      ${crypto.createHash("sha256").update(raw).digest("hex")}, ${from?.address ?? ""}, ${from?.name ?? ""},
      ${sql.json(list(parsed.to))}, ${sql.json(list(parsed.cc))}, ${sql.json(list(parsed.replyTo))},
      ${parsed.subject ?? ""}, ${parsed.date ?? null}, ${parsed.inReplyTo ?? null},
      ${Array.isArray(parsed.references) ? parsed.references.join(" ") : (parsed.references ?? null)},
      ${extra.oversized ? null : (parsed.text ?? null)}, ${extra.oversized ? null : parsed.html || null},
      ${raw.length}, ${parsed.attachments.length > 0}, ${extra.parseError ?? null}, ${extra.oversized ?? false},
      ${extra.storedAt ?? new Date()},
      ${searchPairs({ subject: parsed.subject ?? "", fromAddress: from?.address ?? "", fromName: from?.name ?? "", text: extra.oversized ? null : (parsed.text ?? null) })})
    returning id`;
  const id = Number(row.id);
  await sql`insert into email_sources (email_id, raw) values (${id}, ${raw})`;
  for (const [position, a] of parsed.attachments.entries()) {
    await sql`insert into email_attachments (email_id, position, filename, content_type, size_bytes, content_id, part_path)
      values (${id}, ${position}, ${a.filename ?? ""}, ${a.contentType}, ${a.size}, ${a.contentId ?? null}, ${a.partId || "1"})`;
  }
  return { id, raw };
}
