import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailAttachments, emails, type AddressJson, type DsnRecipient } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { parseMailIds } from "./parse-mail-ids";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";

export type EmailAttachmentView = { position: number; filename: string; contentType: string; sizeBytes: number; contentId: string | null };

export type EmailView = {
  id: number;
  mailbox: { id: string; name: string; emailAddress: string };
  messageId: string | null;
  fromAddress: string;
  fromName: string;
  to: AddressJson[];
  cc: AddressJson[];
  replyTo: AddressJson[];
  subject: string;
  sentAt: Date | null;
  storedAt: Date;
  inReplyTo: string | null;
  textBody: string | null;
  htmlBody: string | null;
  sizeBytes: number;
  /** Why the message could not be parsed (it is stored raw), or null. */
  parseError: string | null;
  /** Too large: only its headers were stored. */
  oversized: boolean;
  attachments: EmailAttachmentView[];
  /** Its conversation in this mailbox and how it was matched (lib/threads/assign-threads.ts). */
  threadId: string | null;
  threadMethod: string | null;
  /** Automatic mail: its kind and the header that says so; null for a person's mail. */
  autoKind: string | null;
  autoReason: string | null;
  /** A bounce's per-recipient reports. */
  dsnRecipients: DsnRecipient[];
  /** The IMAP folders it was found in, when its mailbox syncs folders besides INBOX; else null. */
  folders: string[] | null;
};

/**
 * One stored message with its attachments' metadata (never the raw source), for
 * an actor who may read its mailbox; anything else, including ids that are not
 * ids, is "not found".
 */
export async function getEmail(db: Db, actor: Actor | null, input: { mailboxId: string; emailId: string }): Promise<EmailView> {
  const where = readableMailboxes(actor, input.mailboxId);
  const ids = parseMailIds(input.mailboxId, input.emailId);
  if (!ids) throw mailNotFound();
  const [row] = await db
    .select({
      email: emails,
      mailbox: { id: mailboxes.id, name: mailboxes.name, emailAddress: mailboxes.emailAddress },
    })
    .from(emails)
    .innerJoin(mailboxes, eq(mailboxes.id, emails.mailboxId))
    .where(and(where, eq(emails.id, ids.emailId)));
  if (!row) throw mailNotFound();
  const attachments = await db
    .select({
      position: emailAttachments.position,
      filename: emailAttachments.filename,
      contentType: emailAttachments.contentType,
      sizeBytes: emailAttachments.sizeBytes,
      contentId: emailAttachments.contentId,
    })
    .from(emailAttachments)
    .where(eq(emailAttachments.emailId, row.email.id))
    .orderBy(asc(emailAttachments.position));
  const e = row.email;
  return {
    id: e.id,
    mailbox: row.mailbox,
    messageId: e.messageId,
    fromAddress: e.fromAddress,
    fromName: e.fromName,
    to: e.toList,
    cc: e.ccList,
    replyTo: e.replyTo,
    subject: e.subject,
    sentAt: e.sentAt,
    storedAt: e.storedAt,
    inReplyTo: e.inReplyTo,
    textBody: e.textBody,
    htmlBody: e.htmlBody,
    sizeBytes: e.sizeBytes,
    parseError: e.parseError,
    oversized: e.oversized,
    attachments,
    threadId: e.threadId,
    threadMethod: e.threadMethod,
    autoKind: e.autoKind,
    autoReason: e.autoReason,
    dsnRecipients: e.dsnRecipients ?? [],
    folders: e.folders,
  };
}
