import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emails, emailSearchText } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { isUuid } from "../is-uuid";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";
import { pageNumber } from "../page-number";

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
  /** Exact up to COUNT_CAP (or the rows up to this page, if more); beyond that a lower bound, and `totalCapped` is true. */
  total: number;
  totalCapped: boolean;
  page: number;
  pageSize: number;
  query: string;
};

/**
 * Counting stops here: an exact count(*) of a big mailbox reads every index entry
 * on every page view, which is what the list's speed used to be bound by. Past
 * this the page says "1,000+ messages" and "page N of M+".
 */
export const COUNT_CAP = 1000;

/** Exactly two CJK characters (kanji, kana, 々): the characters mailroom_cjk_bigrams pairs (migration 0015). */
const CJK_PAIR = /^[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]{2}$/u;

/** LIKE's wildcards and escape character, taken literally. */
function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of a mailbox's stored mail, newest first (the order it was stored, as
 * the list index keeps it). `query` finds messages whose subject, sender (address
 * or name) or body text contains it, case-insensitively, through the trigram index
 * on emailSearchText (Japanese included: the database's ctype must class CJK
 * characters as letters, see db/embedded.ts). A mailbox the actor may not read is
 * "not found".
 */
export async function listEmails(
  db: Db,
  actor: Actor | null,
  input: { mailboxId: string; query?: string; page?: number | string; pageSize?: number },
): Promise<EmailList> {
  const where = readableMailboxes(actor, input.mailboxId);
  if (!isUuid(input.mailboxId)) throw mailNotFound();
  const [mailbox] = await db
    .select({ id: mailboxes.id, name: mailboxes.name, emailAddress: mailboxes.emailAddress })
    .from(mailboxes)
    .where(where);
  if (!mailbox) throw mailNotFound();

  const pageSize = Math.min(Math.max(Math.trunc(input.pageSize ?? 50), 1), 200);
  let page = pageNumber(input.page ?? 1);
  const query = (input.query ?? "").trim().slice(0, 200);
  const pattern = likeContaining(query);
  // lower() of the pattern in SQL too: Postgres and JavaScript disagree on some case mappings.
  // Two CJK characters (会議, 契約) have no trigram: they are looked up as a word among the
  // stored character pairs, which holds every adjacent pair, so the answer is the same.
  const search = !query
    ? undefined
    : CJK_PAIR.test(query)
      ? sql`${emails.searchCjkBigrams} like ${`% ${query} %`}`
      : sql`${emailSearchText(emails)} like lower(${pattern})`;
  const filter = and(eq(emails.mailboxId, mailbox.id), search);

  const count = async (limit: number) =>
    (await db.select({ n: sql<number>`count(*)::int` }).from(db.select({ one: sql`1`.as("one") }).from(emails).where(filter).limit(limit).as("capped")))[0].n;
  if (page > 1) {
    // A page past the end (an old link, a hand-typed number) shows the last page, not an empty one.
    const before = await count((page - 1) * pageSize + 1);
    if (before <= (page - 1) * pageSize) page = Math.max(1, Math.ceil(before / pageSize));
  }
  const offset = (page - 1) * pageSize;
  // Count at most one row past the cap (or past this page, so "next" shows when there is more).
  const countLimit = Math.max(COUNT_CAP, offset + pageSize) + 1;
  const [rows, n] = await Promise.all([
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
      // "nulls last" as emails_list_idx is declared (drizzle's .desc() there means DESC NULLS LAST): a plain DESC
      // is NULLS FIRST, which the index cannot give, so Postgres scanned and sorted the whole mailbox on every page.
      .orderBy(sql`${emails.storedAt} desc nulls last`, sql`${emails.id} desc nulls last`)
      .limit(pageSize)
      .offset(offset),
    count(countLimit),
  ]);
  const totalCapped = n >= countLimit;
  return { mailbox, rows, total: totalCapped ? countLimit - 1 : n, totalCapped, page, pageSize, query };
}
