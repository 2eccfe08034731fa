import type postgres from "postgres";
import { storeTestEmail, type StoredTestEmail } from "./store-test-email";

/**
 * A message as the sync engine stores one it could not parse: the raw source kept,
 * the parse error set, and nothing parsed beyond what it salvaged (here: nothing —
 * no subject, sender, text or attachments). Shared by the integration and browser tests.
 */
export async function storeUnparsedEmail(
  sql: postgres.Sql,
  mailboxId: string,
  input: { subject: string; text?: string; attachments?: number; parseError?: string },
): Promise<StoredTestEmail> {
  const stored = await storeTestEmail(
    sql,
    mailboxId,
    {
      from: { name: "Pat Sender", address: "pat@example.com" },
      to: "reader@example.com",
      subject: input.subject,
      text: input.text ?? `the text of ${input.subject}`,
      attachments: Array.from({ length: input.attachments ?? 0 }, (_, i) => ({ filename: `file-${i}.txt`, content: `attachment ${i}` })),
    },
    { parseError: input.parseError ?? "an older parser gave up: Unexpected end of input" },
  );
  await sql`update emails set subject = '', from_address = '', from_name = '', text_body = null, html_body = null, message_id = null, search_cjk_bigrams = null,
    has_attachments = false, to_list = '[]' where id = ${stored.id}`;
  await sql`delete from email_attachments where email_id = ${stored.id}`;
  return stored;
}
