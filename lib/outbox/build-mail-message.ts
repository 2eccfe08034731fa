import type Mail from "nodemailer/lib/mailer";
import type { OutboxEmail } from "../../db/schema/outbox";

export type OutboxAttachmentBytes = { filename: string; contentType: string; content: Buffer };

/**
 * The message nodemailer composes and sends for a queued email: From is the
 * mailbox, the Message-ID and Date are those fixed at queue time, Bcc goes into
 * the envelope only. Nothing is read from files or URLs.
 */
export function buildMailMessage(row: OutboxEmail, from: { name: string; address: string }, attachments: OutboxAttachmentBytes[]): Mail.Options {
  return {
    messageId: row.messageId,
    date: row.createdAt,
    from: { name: from.name, address: from.address },
    to: row.toList,
    cc: row.ccList.length > 0 ? row.ccList : undefined,
    bcc: row.bccList.length > 0 ? row.bccList : undefined,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody ?? undefined,
    inReplyTo: row.inReplyTo ?? undefined,
    references: row.references ?? undefined,
    attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
