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
  /**
   * Keyset cursors for the pager: the last message shown (link to older mail with
   * `before`), null when there is nothing older; the first one shown (newer mail with
   * `after`), null on the first page.
   */
  older: number | null;
  newer: number | null;
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
  input: {
    mailboxId: string;
    query?: string;
    page?: number | string;
    pageSize?: number;
    /** Keyset paging: the page of messages older than this message id (`before`) or newer (`after`). */
    before?: number | string;
    after?: number | string;
  },
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
  const columns = {
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
  };
  // "nulls last" as emails_list_idx is declared (drizzle's .desc() there means DESC NULLS LAST): a plain DESC
  // is NULLS FIRST, which the index cannot give, so Postgres scanned and sorted the whole mailbox on every page.
  const newestFirst = [sql`${emails.storedAt} desc nulls last`, sql`${emails.id} desc nulls last`];
  const count = async (limit: number) =>
    (await db.select({ n: sql<number>`count(*)::int` }).from(db.select({ one: sql`1`.as("one") }).from(emails).where(filter).limit(limit).as("capped")))[0].n;

  const cursor = cursorOf(input);
  if (cursor) {
    // Keyset paging: a page starts where the one before it ended, read from the list index however
    // deep it is (OFFSET reads and skips every row before it). The cursor must be a message of this mailbox.
    const at = sql`(select ${emails.storedAt}, ${emails.id} from ${emails} where ${emails.id} = ${cursor.id} and ${emails.mailboxId} = ${mailbox.id})`;
    const older = cursor.direction === "before";
    const [rows, n, found] = await Promise.all([
      db
        .select(columns)
        .from(emails)
        .where(and(filter, older ? sql`(${emails.storedAt}, ${emails.id}) < ${at}` : sql`(${emails.storedAt}, ${emails.id}) > ${at}`))
        .orderBy(...(older ? newestFirst : [sql`${emails.storedAt} asc nulls first`, sql`${emails.id} asc nulls first`]))
        .limit(pageSize + 1),
      count(COUNT_CAP + 1),
      db.select({ id: emails.id }).from(emails).where(and(eq(emails.id, cursor.id), eq(emails.mailboxId, mailbox.id))),
    ]);
    const more = rows.length > pageSize;
    // Newer than a message on the first page is the first page: shown by the plain branch below.
    if (found.length && rows.length && (older || more)) {
      const pageRows = rows.slice(0, pageSize);
      if (!older) pageRows.reverse();
      const capped = n > COUNT_CAP;
      return {
        mailbox,
        rows: pageRows,
        total: capped ? COUNT_CAP : n,
        totalCapped: capped,
        // Only a label here (the cursor decides the rows): "page N" as the links counted it.
        page: Math.max(page, 2),
        pageSize,
        query,
        older: older ? (more ? pageRows[pageRows.length - 1].id : null) : pageRows[pageRows.length - 1].id,
        newer: pageRows[0].id,
      };
    }
    // A cursor that is gone (its message deleted) or from another mailbox: the first page.
    page = 1;
  }

  if (page > 1) {
    // A page past the end (an old link, a hand-typed number) shows the last page, not an empty one.
    const before = await count((page - 1) * pageSize + 1);
    if (before <= (page - 1) * pageSize) page = Math.max(1, Math.ceil(before / pageSize));
  }
  const offset = (page - 1) * pageSize;
  // Count at most one row past the cap (or past this page, so "next" shows when there is more).
  const countLimit = Math.max(COUNT_CAP, offset + pageSize) + 1;
  const [rows, n] = await Promise.all([db.select(columns).from(emails).where(filter).orderBy(...newestFirst).limit(pageSize + 1).offset(offset), count(countLimit)]);
  const totalCapped = n >= countLimit;
  const pageRows = rows.slice(0, pageSize);
  return {
    mailbox,
    rows: pageRows,
    total: totalCapped ? countLimit - 1 : n,
    totalCapped,
    page,
    pageSize,
    query,
    older: rows.length > pageSize ? pageRows[pageRows.length - 1].id : null,
    newer: page > 1 && pageRows.length ? pageRows[0].id : null,
  };
}

/** The keyset cursor of a request: `before` wins over `after`; junk is no cursor. */
function cursorOf(input: { before?: number | string; after?: number | string }): { id: number; direction: "before" | "after" } | null {
  for (const direction of ["before", "after"] as const) {
    const raw = input[direction];
    const id = typeof raw === "number" ? raw : typeof raw === "string" && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (Number.isSafeInteger(id) && id > 0) return { id, direction };
  }
  return null;
}
