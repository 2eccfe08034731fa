import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emails, emailSources } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { parseMailIds } from "./parse-mail-ids";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";

/**
 * The stored raw source of one message (for an oversized one, its headers only),
 * for an actor who may read its mailbox: the same check as the message page, and
 * the same "not found" for anything else.
 */
export async function getRawSource(db: Db, actor: Actor | null, input: { mailboxId: string; emailId: string }): Promise<{ id: number; raw: Buffer }> {
  const where = readableMailboxes(actor, input.mailboxId);
  const ids = parseMailIds(input.mailboxId, input.emailId);
  if (!ids) throw mailNotFound();
  const [row] = await db
    .select({ id: emails.id, raw: emailSources.raw })
    .from(emails)
    .innerJoin(mailboxes, eq(mailboxes.id, emails.mailboxId))
    .innerJoin(emailSources, eq(emailSources.emailId, emails.id))
    .where(and(where, eq(emails.id, ids.emailId)));
  if (!row) throw mailNotFound();
  return { id: row.id, raw: Buffer.from(row.raw) };
}
