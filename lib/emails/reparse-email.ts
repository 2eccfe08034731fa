import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailAttachments, emails, emailSources } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { messageFactColumns } from "../mail/message-facts";
import { searchPairs } from "./search-pairs";
import { parseMessage } from "../mail/parse-message";
import { postgresErrorOf } from "../postgres-error";
import { parseMailIds } from "./parse-mail-ids";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";

/** What "parse again" did: filled the message in, found it done already, or failed again (the reason, technical). */
export type ReparseOutcome = { status: "parsed" } | { status: "already_parsed" } | { status: "still_failing"; reason: string };

/**
 * "Parse again" for a quarantined message that could not be parsed: re-parses its
 * stored raw source with the current parser and, on success, fills the parsed
 * fields and attachments and clears the flag — in place (the same row, no
 * duplicate) and exactly once: the update only applies while the flag is still
 * set, so a second click or a concurrent one finds it done. A parse that fails
 * again keeps the flag with the new reason. An oversized message has only its
 * headers stored, so there is nothing more to parse: refused. Whoever may read
 * the mailbox (its owner, or mailbox:read) may do it; anything else is "not found".
 */
export async function reparseEmail(
  db: Db,
  actor: Actor | null,
  input: { mailboxId: string; emailId: string },
  options: { parseTimeoutMs?: number } = {},
): Promise<ReparseOutcome> {
  const where = readableMailboxes(actor, input.mailboxId);
  const ids = parseMailIds(input.mailboxId, input.emailId);
  if (!ids) throw mailNotFound();
  const [row] = await db
    .select({ id: emails.id, parseError: emails.parseError, oversized: emails.oversized, raw: emailSources.raw })
    .from(emails)
    .innerJoin(mailboxes, eq(mailboxes.id, emails.mailboxId))
    .innerJoin(emailSources, eq(emailSources.emailId, emails.id))
    .where(and(where, eq(emails.id, ids.emailId)));
  if (!row) throw mailNotFound();
  if (row.oversized) throw new AppError("invalid", msg("quarantine.error.oversized"), { internal: `email ${row.id} is oversized: only its headers are stored` });
  if (row.parseError === null) return { status: "already_parsed" };

  const parsed = await parseMessage(Buffer.from(row.raw), { timeoutMs: options.parseTimeoutMs });
  const stillFlagged = and(eq(emails.id, row.id), sql`${emails.parseError} is not null`);
  if (parsed.parseError) {
    await db.update(emails).set({ parseError: parsed.parseError }).where(stillFlagged);
    return { status: "still_failing", reason: parsed.parseError };
  }
  try {
    const done = await db.transaction(async (tx) => {
      const updated = await tx
        .update(emails)
        .set({
          messageId: parsed.messageId,
          fromAddress: parsed.from?.address ?? "",
          fromName: parsed.from?.name ?? "",
          toList: parsed.to,
          ccList: parsed.cc,
          replyTo: parsed.replyTo,
          subject: parsed.subject,
          sentAt: parsed.date,
          arrivedAt: sql`coalesce(${emails.arrivedAt}, ${parsed.receivedAt})`,
          inReplyTo: parsed.inReplyTo,
          references: parsed.references,
          textBody: parsed.text,
          searchCjkBigrams: searchPairs({ subject: parsed.subject, fromAddress: parsed.from?.address ?? "", fromName: parsed.from?.name ?? "", text: parsed.text }),
          htmlBody: parsed.html,
          hasAttachments: parsed.attachments.length > 0,
          // Automatic mail and bounces are recognised now too (its conversation stays the one it was stored in).
          ...messageFactColumns(parsed),
          parseError: null,
        })
        .where(stillFlagged)
        .returning({ id: emails.id });
      // Another "parse again" got there first (it held the row until it committed).
      if (updated.length === 0) return false;
      await tx.delete(emailAttachments).where(eq(emailAttachments.emailId, row.id));
      const attachments = parsed.attachments.map((a, position) => ({ emailId: row.id, position, ...a }));
      for (let i = 0; i < attachments.length; i += 1000) await tx.insert(emailAttachments).values(attachments.slice(i, i + 1000));
      return true;
    });
    return done ? { status: "parsed" } : { status: "already_parsed" };
  } catch (err) {
    // The database refused a parsed value (as storeMessages guards against): the message stays in quarantine.
    const code = postgresErrorOf(err)?.code;
    if (!code || !(code.startsWith("22") || code.startsWith("54"))) throw err;
    const reason = `could not be stored as parsed (${code}: ${(err as Error).message.slice(0, 200)})`;
    await db.update(emails).set({ parseError: reason }).where(stillFlagged);
    return { status: "still_failing", reason };
  }
}
