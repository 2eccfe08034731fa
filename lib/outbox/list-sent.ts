import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { AddressJson } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import { outbox } from "../../db/schema/outbox";
import type { Actor } from "../auth/actor";
import { readableMailboxes } from "../emails/readable-mailboxes";
import { AppError } from "../errors";
import { isUuid } from "../is-uuid";
import { pageNumber } from "../page-number";
import { isMessageKey, msg, storedMessage, type Message, type MessageParams } from "../i18n/message";

export type SentStatus = "queued" | "sending" | "sent" | "retrying" | "failed";

export type SentRow = {
  id: number;
  messageId: string;
  to: AddressJson[];
  cc: AddressJson[];
  bcc: AddressJson[];
  subject: string;
  status: SentStatus;
  attempts: number;
  /** When a queued or retrying email is tried next. */
  nextAttemptAt: Date | null;
  /** Why the last attempt failed (retrying, failed). */
  /** Why it failed or waits: a key to render in the reader's language, or an older row's English text. */
  lastError: Message | string | null;
  /** The server's reply when it accepted the email (sent), or refused it. */
  serverResponse: string | null;
  sentAt: Date | null;
  createdAt: Date;
  attachmentCount: number;
  /** The copy in the IMAP Sent folder: null (not wanted), pending, appended (into `sentCopyFolder`) or failed (why). */
  sentCopy: "pending" | "appended" | "failed" | null;
  sentCopyFolder: string | null;
  sentCopyError: Message | null;
};

export type SentList = {
  mailbox: { id: string; name: string; emailAddress: string; outgoingEnabled: boolean; outgoingDelivery: string };
  rows: SentRow[];
  total: number;
  page: number;
  pageSize: number;
};

/**
 * One page of the mail written in a mailbox, newest first, with each email's
 * status: queued, sending, sent (the server's reply and time), retrying (next try
 * and reason) or failed (reason). For those who may read the mailbox (its owner,
 * or mailbox:read); others get "not found".
 */
export async function listSent(db: Db, actor: Actor | null, input: { mailboxId: string; page?: number | string; pageSize?: number }): Promise<SentList> {
  const where = readableMailboxes(actor, input.mailboxId);
  const notFound = new AppError("not_found", msg("error.mailbox.notYours"));
  if (!isUuid(input.mailboxId)) throw notFound;
  const [mailbox] = await db
    .select({ id: mailboxes.id, name: mailboxes.name, emailAddress: mailboxes.emailAddress, outgoingEnabled: mailboxes.outgoingEnabled, outgoingDelivery: mailboxes.outgoingDelivery })
    .from(mailboxes)
    .where(where);
  if (!mailbox) throw notFound;
  const pageSize = Math.min(Math.max(Math.trunc(input.pageSize ?? 50), 1), 200);
  const filter = and(eq(outbox.mailboxId, mailbox.id));
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(filter);
  // Past the end (or junk like 1e300): the last page.
  const page = Math.min(pageNumber(input.page ?? 1), Math.max(1, Math.ceil(n / pageSize)));
  const rows = await db
      .select({
        id: outbox.id,
        messageId: outbox.messageId,
        to: outbox.toList,
        cc: outbox.ccList,
        bcc: outbox.bccList,
        subject: outbox.subject,
        status: outbox.status,
        attempts: outbox.attempts,
        nextAttemptAt: sql<Date | null>`case when ${outbox.status} in ('queued', 'retrying') then ${outbox.nextAttemptAt} end`.mapWith(outbox.nextAttemptAt),
        lastError: outbox.lastError,
        lastErrorKey: outbox.lastErrorKey,
        lastErrorParams: outbox.lastErrorParams,
        serverResponse: outbox.serverResponse,
        sentAt: outbox.sentAt,
        createdAt: outbox.createdAt,
        attachmentCount: sql<number>`(select count(*)::int from outbox_attachments a where a.outbox_id = ${outbox.id})`,
        sentCopy: sql<SentRow["sentCopy"]>`${outbox.sentCopy}`,
        sentCopyFolder: outbox.sentCopyFolder,
        sentCopyErrorKey: outbox.sentCopyErrorKey,
        sentCopyErrorParams: outbox.sentCopyErrorParams,
      })
      .from(outbox)
      .where(filter)
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize);
  return {
    mailbox,
    rows: rows.map(({ lastErrorKey, lastErrorParams, sentCopyErrorKey, sentCopyErrorParams, ...r }) => ({
      ...r,
      lastError: storedMessage(lastErrorKey, lastErrorParams, r.lastError),
      sentCopyError: isMessageKey(sentCopyErrorKey) ? msg(sentCopyErrorKey, (sentCopyErrorParams ?? {}) as MessageParams) : null,
    })),
    total: n,
    page,
    pageSize,
  };
}
