import type { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailAttachments, emails, emailSources } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { openMessagePart } from "./open-message-part";
import { parseIntegerId, parseMailIds } from "./parse-mail-ids";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";

export type AttachmentDownload = { filename: string; contentType: string; sizeBytes: number; content: Readable };

/**
 * One attachment of a stored message, decoded from the raw source (attachments are
 * not stored twice). The part is found by its stored part path (mailparser's part
 * id); should the sync engine have stored some other path, by its place among the
 * message's attachments. "Not found" for a message the actor may not read, a
 * position the message does not have, or a source that no longer yields the part.
 */
export async function getAttachment(
  db: Db,
  actor: Actor | null,
  input: { mailboxId: string; emailId: string; position: string },
): Promise<AttachmentDownload> {
  const where = readableMailboxes(actor, input.mailboxId);
  const ids = parseMailIds(input.mailboxId, input.emailId);
  const position = parseIntegerId(input.position);
  if (!ids || position === null) throw mailNotFound();
  const [row] = await db
    .select({
      filename: emailAttachments.filename,
      contentType: emailAttachments.contentType,
      sizeBytes: emailAttachments.sizeBytes,
      partPath: emailAttachments.partPath,
      raw: emailSources.raw,
      // Its index among the message's attachments, whatever numbering `position` uses.
      rank: sql<number>`(select count(*)::int from ${emailAttachments} a where a.email_id = ${emails.id} and a.position < ${position})`,
    })
    .from(emailAttachments)
    .innerJoin(emails, eq(emails.id, emailAttachments.emailId))
    .innerJoin(mailboxes, eq(mailboxes.id, emails.mailboxId))
    .innerJoin(emailSources, eq(emailSources.emailId, emails.id))
    .where(and(where, eq(emails.id, ids.emailId), eq(emailAttachments.position, position)));
  if (!row) throw mailNotFound();
  const raw = Buffer.from(row.raw);
  const content =
    (row.partPath ? await openMessagePart(raw, (partId) => partId === row.partPath) : null) ??
    (await openMessagePart(raw, (_partId, index) => index === row.rank));
  if (!content) throw mailNotFound();
  return { filename: row.filename, contentType: row.contentType, sizeBytes: row.sizeBytes, content };
}
