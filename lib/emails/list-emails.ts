import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emails } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { isUuid } from "../profiles/is-uuid";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";

export type EmailListRow = {
  id: number;
  fromAddress: string;
  fromName: string;
  subject: string;
  sentAt: Date | null;
  storedAt: Date;
  sizeBytes: number;
  hasAttachments: boolean;
  unparsed: boolean;
  oversized: boolean;
};

export type EmailList = {
  mailbox: { id: string; name: string; emailAddress: string };
  rows: EmailListRow[];
  total: number;
  page: number;
  pageSize: number;
  query: string;
};

/** LIKE's wildcards and escape character, taken literally. */
function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of a mailbox's stored mail, newest first (the order it was stored, as
 * the list index keeps it). `query` finds messages whose subject or sender (address
 * or name) contains it, case-insensitively, through the trigram indexes on
 * lower(subject) and lower(from_address || ' ' || from_name). A mailbox the actor
 * may not read is "not found".
 */
export async function listEmails(
  db: Db,
  actor: Actor | null,
  input: { mailboxId: string; query?: string; page?: number; pageSize?: number },
): Promise<EmailList> {
  const where = readableMailboxes(actor, input.mailboxId);
  if (!isUuid(input.mailboxId)) throw mailNotFound();
  const [mailbox] = await db
    .select({ id: mailboxes.id, name: mailboxes.name, emailAddress: mailboxes.emailAddress })
    .from(mailboxes)
    .where(where);
  if (!mailbox) throw mailNotFound();

  const pageSize = Math.min(Math.max(Math.trunc(input.pageSize ?? 50), 1), 200);
  const page = Math.max(Math.trunc(input.page ?? 1) || 1, 1);
  const query = (input.query ?? "").trim().slice(0, 200);
  const pattern = likeContaining(query);
  const search = query
    ? sql`(lower(${emails.subject}) like lower(${pattern}) or lower(${emails.fromAddress} || ' ' || ${emails.fromName}) like lower(${pattern}))`
    : undefined;
  const filter = and(eq(emails.mailboxId, mailbox.id), search);

  const [rows, [{ n }]] = await Promise.all([
    db
      .select({
        id: emails.id,
        fromAddress: emails.fromAddress,
        fromName: emails.fromName,
        subject: emails.subject,
        sentAt: emails.sentAt,
        storedAt: emails.storedAt,
        sizeBytes: emails.sizeBytes,
        hasAttachments: emails.hasAttachments,
        unparsed: sql<boolean>`${emails.parseError} is not null`,
        oversized: emails.oversized,
      })
      .from(emails)
      .where(filter)
      .orderBy(desc(emails.storedAt), desc(emails.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(emails).where(filter),
  ]);
  return { mailbox, rows, total: n, page, pageSize, query };
}
