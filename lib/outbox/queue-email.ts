import crypto from "node:crypto";
import type { Db } from "../../db/client";
import { and, eq, isNull } from "drizzle-orm";
import { emails, type AddressJson } from "../../db/schema/emails";
import { outbox, outboxAttachments } from "../../db/schema/outbox";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg, type Message } from "../i18n/message";
import { findSendableMailbox } from "./find-sendable-mailbox";
import { findRecentBounces } from "./find-recent-bounces";
import { loadSourceEmail } from "./load-source-email";
import { formatBytes, OUTBOX_LIMITS } from "./outbox-limits";
import { parseAddressList } from "./parse-address-list";
import { readForwardedAttachments, type AttachmentBytes } from "./read-forwarded-attachments";
import { replyHeaders } from "./reply-headers";

export type QueueEmailInput = {
  mailboxId: string;
  /** As typed: addresses separated by commas, semicolons or new lines; `Name <addr>` allowed. */
  to: string;
  cc?: string;
  bcc?: string;
  subject: string;
  /** Plain text. */
  body: string;
  attachments?: AttachmentBytes[];
  /** A stored message of this mailbox this one answers (sets In-Reply-To and References). */
  replyToEmailId?: string;
  /** A stored message of this mailbox this one forwards… */
  forwardEmailId?: string;
  /** …and which of its attachments (positions) go with it; all when omitted. */
  forwardAttachments?: number[];
  /** The sender saw the warning about recipients whose mail bounced recently and sends anyway. */
  sendDespiteBounces?: boolean;
};

export type QueuedEmail = { id: number; messageId: string };

/**
 * Queues an email to be sent from a mailbox and returns at once; the worker
 * sends it (lib/outbox/send-claimed-emails.ts). Checks who may send (the
 * mailbox's owner, or mailbox:write) and that the mailbox can send now
 * (outgoing by server-side sync and enabled), validates every field with
 * messages beside the field, and fixes the Message-ID (<uuid@sender's domain>)
 * now, so a resend after a crash carries the same one.
 */
export async function queueEmail(db: Db, actor: Actor | null, input: QueueEmailInput): Promise<QueuedEmail> {
  const mailbox = await findSendableMailbox(db, actor, input.mailboxId);
  if (mailbox.refusal) throw new AppError("invalid", mailbox.refusal);

  const fieldErrors: Record<string, Message[]> = {};
  const lists: Record<"to" | "cc" | "bcc", AddressJson[]> = { to: [], cc: [], bcc: [] };
  for (const field of ["to", "cc", "bcc"] as const) {
    const parsed = parseAddressList(input[field] ?? "");
    lists[field] = parsed.addresses;
    if (parsed.invalid.length > 0) {
      const shown = parsed.invalid.slice(0, 5).map((e) => `“${e.slice(0, 80)}”`).join(", ");
      fieldErrors[field] = [msg(parsed.invalid.length === 1 ? "error.outbox.badAddress" : "error.outbox.badAddresses", { addresses: shown })];
    }
  }
  const recipients = lists.to.length + lists.cc.length + lists.bcc.length;
  if (recipients === 0 && !fieldErrors.to && !fieldErrors.cc && !fieldErrors.bcc) fieldErrors.to = [msg("error.outbox.noRecipient")];
  if (recipients > OUTBOX_LIMITS.recipients) fieldErrors.to = [msg("error.outbox.tooManyRecipients", { max: OUTBOX_LIMITS.recipients, count: recipients })];
  const subject = input.subject.replace(/[\r\n]+/g, " ").trim();
  if (subject.length > OUTBOX_LIMITS.subjectChars) fieldErrors.subject = [msg("error.outbox.subjectTooLong", { max: OUTBOX_LIMITS.subjectChars })];
  if (input.body.length > OUTBOX_LIMITS.bodyChars) fieldErrors.body = [msg("error.outbox.bodyTooLong", { max: OUTBOX_LIMITS.bodyChars.toLocaleString("en") })];
  if (input.replyToEmailId && input.forwardEmailId) throw new AppError("invalid", msg("error.outbox.replyAndForward"));

  const sourceId = input.replyToEmailId || input.forwardEmailId;
  const source = sourceId ? await loadSourceEmail(db, actor, { mailboxId: mailbox.id, emailId: sourceId }) : null;
  const headers = source && input.replyToEmailId ? replyHeaders(source) : { inReplyTo: null, references: null };

  const uploaded = (input.attachments ?? []).map((a) => ({ ...a, filename: cleanFilename(a.filename), contentType: cleanContentType(a.contentType) }));
  const forwardedMeta = source && input.forwardEmailId ? source.attachments.filter((a) => !input.forwardAttachments || input.forwardAttachments.includes(a.position)) : [];
  const count = uploaded.length + forwardedMeta.length;
  const bytes = uploaded.reduce((n, a) => n + a.content.length, 0) + forwardedMeta.reduce((n, a) => n + a.sizeBytes, 0);
  if (count > OUTBOX_LIMITS.attachmentCount) fieldErrors.attachments = [msg("error.outbox.tooManyAttachments", { max: OUTBOX_LIMITS.attachmentCount, count })];
  else if (bytes > OUTBOX_LIMITS.attachmentBytes) {
    fieldErrors.attachments = [msg("error.outbox.attachmentsTooLarge", { size: formatBytes(bytes), max: formatBytes(OUTBOX_LIMITS.attachmentBytes) })];
  }
  if (Object.keys(fieldErrors).length > 0) throw new AppError("invalid", msg("common.fixFields"), { fieldErrors });
  if (!input.sendDespiteBounces) await warnAboutBounces(db, mailbox.id, lists);

  const forwarded = source && forwardedMeta.length > 0 ? await readForwardedAttachments(db, source, forwardedMeta.map((a) => a.position)) : [];
  const attachments = [...forwarded, ...uploaded];
  const messageId = `<${crypto.randomUUID()}@${senderDomain(mailbox.emailAddress)}>`;
  // A reply joins its parent's conversation; anything else (a forward too) starts one.
  const threadId = (input.replyToEmailId && source?.threadId) || crypto.randomUUID();
  return db.transaction(async (tx) => {
    if (input.replyToEmailId && source && !source.threadId) {
      // A parent stored before conversations existed gets one now, shared with its reply.
      await tx.update(emails).set({ threadId, threadMethod: "new" }).where(and(eq(emails.id, source.id), isNull(emails.threadId)));
    }
    const [row] = await tx
      .insert(outbox)
      .values({
        mailboxId: mailbox.id,
        createdById: actor!.id,
        messageId,
        toList: lists.to,
        ccList: lists.cc,
        bccList: lists.bcc,
        subject,
        textBody: input.body.replace(/\r\n?/g, "\n"),
        inReplyTo: headers.inReplyTo,
        references: headers.references,
        threadId,
        status: "queued",
      })
      .returning({ id: outbox.id });
    if (attachments.length > 0) {
      await tx.insert(outboxAttachments).values(attachments.map((a, position) => ({ outboxId: row.id, position, filename: a.filename, contentType: a.contentType, content: a.content })));
    }
    return { id: row.id, messageId };
  });
}

/**
 * Checked on the server before queuing: a recipient whose mail came back with a
 * permanent failure in the last 30 days (a bounce stored in this mailbox) is named
 * beside its field, and nothing is queued until the sender ticks "Send anyway".
 */
async function warnAboutBounces(db: Db, mailboxId: string, lists: Record<"to" | "cc" | "bcc", AddressJson[]>): Promise<void> {
  const bounces = await findRecentBounces(db, mailboxId, [...lists.to, ...lists.cc, ...lists.bcc].map((a) => a.address));
  if (bounces.length === 0) return;
  const byAddress = new Map(bounces.map((b) => [b.address, b]));
  const fieldErrors: Record<string, Message[]> = {};
  for (const field of ["to", "cc", "bcc"] as const) {
    const hits = lists[field].flatMap((a) => byAddress.get(a.address.toLowerCase()) ?? []);
    if (hits.length > 0) {
      fieldErrors[field] = hits.map((b) => msg("error.outbox.recentBounce", { address: b.address, date: b.storedAt.toISOString().slice(0, 10), status: b.status }));
    }
  }
  fieldErrors.sendAnyway = [msg("error.outbox.confirmBounce")];
  throw new AppError("invalid", msg("error.outbox.bouncedRecipients"), { fieldErrors });
}

/** The domain of the sender's address, for Message-IDs; a fallback that is still a valid id-right. */
function senderDomain(address: string): string {
  const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  return /^[a-z0-9.-]+$/.test(domain) && domain.includes(".") ? domain : "mailroom.invalid";
}

/** The file's own name (no folders), without control characters, at most the limit. */
function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, OUTBOX_LIMITS.filenameChars);
  return clean || "attachment";
}

function cleanContentType(type: string): string {
  return /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.toLowerCase() : "application/octet-stream";
}
