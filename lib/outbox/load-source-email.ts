import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { emailAttachments, emails, type AddressJson } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { parseIntegerId } from "../emails/parse-mail-ids";
import { readableMailboxes } from "../emails/readable-mailboxes";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";

/** A stored message being replied to or forwarded. */
export type SourceEmail = {
  id: number;
  messageId: string | null;
  /** Its conversation in the mailbox (null for mail stored before threading). */
  threadId: string | null;
  references: string | null;
  inReplyTo: string | null;
  from: AddressJson;
  to: AddressJson[];
  cc: AddressJson[];
  replyTo: AddressJson[];
  subject: string;
  sentAt: Date | null;
  storedAt: Date;
  textBody: string | null;
  attachments: Array<{ position: number; filename: string; contentType: string; sizeBytes: number; partPath: string }>;
};

/**
 * A message stored in `mailboxId` that `actor` may read (the mail pages' rule),
 * for a reply or a forward from that mailbox. Anything else — another mailbox's
 * message, one they may not read, an id that is not an id — is "not found".
 */
export async function loadSourceEmail(db: DbOrTx, actor: Actor | null, input: { mailboxId: string; emailId: string }): Promise<SourceEmail> {
  const where = readableMailboxes(actor, input.mailboxId);
  const emailId = parseIntegerId(input.emailId);
  const notFound = new AppError("not_found", msg("error.outbox.sourceGone"));
  if (emailId === null || !isUuid(input.mailboxId)) throw notFound;
  const [e] = await db
    .select({
      id: emails.id,
      messageId: emails.messageId,
      threadId: emails.threadId,
      references: emails.references,
      inReplyTo: emails.inReplyTo,
      fromAddress: emails.fromAddress,
      fromName: emails.fromName,
      to: emails.toList,
      cc: emails.ccList,
      replyTo: emails.replyTo,
      subject: emails.subject,
      sentAt: emails.sentAt,
      storedAt: emails.storedAt,
      textBody: emails.textBody,
    })
    .from(emails)
    .innerJoin(mailboxes, eq(mailboxes.id, emails.mailboxId))
    .where(and(where, eq(emails.mailboxId, input.mailboxId), eq(emails.id, emailId)));
  if (!e) throw notFound;
  const attachments = await db
    .select({
      position: emailAttachments.position,
      filename: emailAttachments.filename,
      contentType: emailAttachments.contentType,
      sizeBytes: emailAttachments.sizeBytes,
      partPath: emailAttachments.partPath,
    })
    .from(emailAttachments)
    .where(eq(emailAttachments.emailId, e.id))
    .orderBy(asc(emailAttachments.position));
  const { fromAddress, fromName, ...rest } = e;
  return { ...rest, from: { name: fromName, address: fromAddress }, attachments };
}
