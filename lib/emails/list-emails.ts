import { and, eq, sql, type SQL } from "drizzle-orm";
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
  /** auto_reply, auto_generated, bulk or bounce (lib/mail/detect-automatic.ts); null for a person's mail. */
  autoKind: string | null;
  /** For a bounce: the addresses that failed for good. */
  bouncedAddresses: string[];
  /** The IMAP folders it was found in when its mailbox syncs folders besides INBOX (flat view only); else null. */
  folders?: string[] | null;
  /** In the threads view: how many stored messages its conversation holds (1 in the flat view). */
  threadCount: number;
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
  /** One row per conversation (its newest message) instead of one per message; paged by number only. */
  threads: boolean;
};

/**
 * Counting stops here: an exact count(*) of a big mailbox reads every index entry
 * on every page view, which is what the list's speed used to be bound by. Past
 * this the page says "1,000+ messages" and "page N of M+".
 */
export const COUNT_CAP = 1000;

/** Exactly two CJK characters (kanji, kana, 々): the characters mailroom_cjk_bigrams pairs (migration 0015). */
const CJK_PAIR = /^[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]{2}$/u;

const pairsIndexed = new WeakMap<Db, Promise<boolean>>();

/**
 * Whether this database's stored character pairs hold CJK text: a database created as
 * SQL_ASCII (an older embedded data folder initialised without LANG) sees no CJK
 * characters, its pairs column stays empty, and a two-character search must read the
 * text itself (slower, but it finds the mail). Asked once per database handle.
 */
function cjkPairsIndexed(db: Db): Promise<boolean> {
  let known = pairsIndexed.get(db);
  if (!known) {
    known = db
      .execute<{ ok: boolean }>(sql`select mailroom_cjk_bigrams('会議') = ' 会議 ' as ok`)
      .then((rows) => rows[0]?.ok === true)
      .catch(() => false);
    pairsIndexed.set(db, known);
  }
  return known;
}

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
    /** The conversations view (listThreads). */
    threads?: boolean;
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
    : CJK_PAIR.test(query) && (await cjkPairsIndexed(db))
      ? sql`${emails.searchCjkBigrams} like ${`% ${query} %`}`
      : sql`${emailSearchText(emails)} like lower(${pattern})`;
  const filter = and(eq(emails.mailboxId, mailbox.id), search)!;
  if (input.threads) return listThreads(db, mailbox, filter, { page, pageSize, query });
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
    autoKind: emails.autoKind,
    bouncedAddresses: sql<string[]>`coalesce(${emails.bouncedAddresses}, '{}')`,
    folders: emails.folders,
    threadCount: sql<number>`1`,
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
        threads: false,
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
    threads: false,
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

/** A row's conversation; mail stored before threading existed is a conversation of its own. */
const threadKey = sql`coalesce(${emails.threadId}::text, ${emails.id}::text)`;

/**
 * The threads view: one row per conversation of the mailbox (its newest message
 * matching the search), newest conversation first, with how many messages it holds.
 * Unlike the flat list it groups the whole mailbox on each page, which is why it
 * is a view to switch to, not the default.
 */
async function listThreads(db: Db, mailbox: EmailList["mailbox"], filter: SQL, o: { page: number; pageSize: number; query: string }): Promise<EmailList> {
  const countLimit = Math.max(COUNT_CAP, o.page * o.pageSize) + 1;
  const [countRow] = await db.execute<{ n: number }>(sql`select count(*)::int as n from (select distinct ${threadKey} from ${emails} where ${filter} limit ${countLimit}) k`);
  const n = countRow.n;
  let page = o.page;
  if ((page - 1) * o.pageSize >= n && n > 0) page = Math.ceil(n / o.pageSize);
  const rows = await db.execute<{
    id: string;
    from_address: string;
    from_name: string;
    subject: string;
    sent_at: string | null;
    stored_at: string;
    size_bytes: number;
    has_attachments: boolean;
    unparsed: boolean;
    oversized: boolean;
    auto_kind: string | null;
    bounced: string[] | null;
    thread_count: number;
  }>(sql`
    select id, from_address, from_name, subject, sent_at, stored_at, size_bytes, has_attachments, unparsed, oversized, auto_kind, bounced, thread_count
      from (select ${emails.id} as id, ${emails.fromAddress} as from_address, ${emails.fromName} as from_name, ${emails.subject} as subject,
                   ${emails.sentAt} as sent_at, ${emails.storedAt} as stored_at, ${emails.sizeBytes} as size_bytes,
                   ${emails.hasAttachments} as has_attachments, ${emails.parseError} is not null as unparsed, ${emails.oversized} as oversized,
                   ${emails.autoKind} as auto_kind, ${emails.bouncedAddresses} as bounced,
                   count(*) over (partition by ${threadKey})::int as thread_count,
                   row_number() over (partition by ${threadKey} order by ${emails.storedAt} desc, ${emails.id} desc) as rn
              from ${emails} where ${filter}) t
     where rn = 1
     order by stored_at desc, id desc
     limit ${o.pageSize} offset ${(page - 1) * o.pageSize}`);
  const totalCapped = n >= countLimit;
  return {
    mailbox,
    rows: rows.map((r) => ({
      id: Number(r.id),
      fromAddress: r.from_address,
      fromName: r.from_name,
      subject: r.subject,
      sentAt: r.sent_at ? new Date(r.sent_at) : null,
      storedAt: new Date(r.stored_at),
      sizeBytes: r.size_bytes,
      hasAttachments: r.has_attachments,
      unparsed: r.unparsed,
      oversized: r.oversized,
      autoKind: r.auto_kind,
      bouncedAddresses: r.bounced ?? [],
      threadCount: r.thread_count,
    })),
    total: totalCapped ? countLimit - 1 : n,
    totalCapped,
    page,
    pageSize: o.pageSize,
    query: o.query,
    older: null,
    newer: null,
    threads: true,
  };
}
