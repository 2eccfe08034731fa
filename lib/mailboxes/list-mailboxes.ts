import { and, asc, count, desc, eq, ilike, isNull, or, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { isUuid } from "../is-uuid";
import { owners, selectMailboxViews, visibleMailboxCondition, type MailboxView } from "./mailbox-view";

export const mailboxFilters = ["all", "active", "unapproved", "failing"] as const;
export type MailboxFilter = (typeof mailboxFilters)[number];
export const mailboxSorts = ["name", "address", "owner", "profile", "kind", "incoming", "outgoing", "approved", "lastSync", "nextSync"] as const;
export type MailboxSort = (typeof mailboxSorts)[number];

export type ListMailboxesInput = {
  /** active: enabled for incoming or outgoing; unapproved: email not approved; failing: any test status is failure. */
  filter?: MailboxFilter | string;
  /** Only mailboxes of this profile ("none" = without a profile). */
  profileId?: string;
  /** Matches name or email address. */
  q?: string;
  page?: number | string;
  /** Default 25, at most 100. */
  pageSize?: number | string;
  sort?: MailboxSort | string;
  direction?: "asc" | "desc" | string;
};

export type MailboxPage = {
  items: MailboxView[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
  filter: MailboxFilter;
  profileId: string | null;
  q: string;
  sort: MailboxSort;
  direction: "asc" | "desc";
};

/**
 * A page of the mailboxes `actor` may read (mailbox:read-own; members see their own
 * mailbox and the queues they own, enforced in the query), filtered, searched and
 * sorted. No secrets: the password appears only as passwordSet.
 */
export async function listMailboxes(db: Db, actor: Actor | null, input: ListMailboxesInput = {}): Promise<MailboxPage> {
  assertCan(actor, "mailbox:read-own");
  const filter: MailboxFilter = (mailboxFilters as readonly string[]).includes(input.filter ?? "") ? (input.filter as MailboxFilter) : "all";
  const sort: MailboxSort = (mailboxSorts as readonly string[]).includes(input.sort ?? "") ? (input.sort as MailboxSort) : "name";
  const direction = input.direction === "desc" ? "desc" : "asc";
  const profileId = input.profileId === "none" || isUuid(input.profileId) ? input.profileId! : null;
  const q = (input.q ?? "").trim().slice(0, 200);
  const pageSize = clampInt(input.pageSize, 25, 1, 100);

  const conditions: (SQL | undefined)[] = [visibleMailboxCondition(actor)];
  if (filter === "active") conditions.push(or(eq(mailboxes.incomingEnabled, true), eq(mailboxes.outgoingEnabled, true)));
  if (filter === "unapproved") conditions.push(isNull(mailboxes.approvedAt));
  if (filter === "failing") {
    conditions.push(or(eq(mailboxes.incomingStatus, "failure"), eq(mailboxes.outgoingStatus, "failure"), eq(mailboxes.actStatus, "failure")));
  }
  if (profileId === "none") conditions.push(isNull(mailboxes.profileId));
  else if (profileId) conditions.push(eq(mailboxes.profileId, profileId));
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(mailboxes.name, pattern), ilike(mailboxes.emailAddress, pattern)));
  }
  const where = and(...conditions);

  const [{ total }] = await db.select({ total: count() }).from(mailboxes).where(where);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(clampInt(input.page, 1, 1, Number.MAX_SAFE_INTEGER), pageCount);
  const by = direction === "desc" ? desc : asc;
  // Nulls (never synced, no profile) go last whichever way the column is sorted.
  const byNullsLast = (col: SQL | AnyPgColumn) => sql`${col} ${sql.raw(direction)} nulls last`;
  const order: SQL[] = {
    name: [by(sql`lower(${mailboxes.name})`)],
    address: [by(sql`lower(${mailboxes.emailAddress})`)],
    owner: [byNullsLast(sql`lower(${owners.name})`)],
    profile: [byNullsLast(sql`lower(${profiles.name})`)],
    kind: [by(mailboxes.kind)],
    incoming: [by(mailboxes.incomingStatus)],
    outgoing: [by(mailboxes.outgoingStatus)],
    approved: [byNullsLast(mailboxes.approvedAt)],
    lastSync: [byNullsLast(mailboxes.lastSyncAt)],
    nextSync: [byNullsLast(mailboxes.nextSyncAt)],
  }[sort];
  const items = await selectMailboxViews(db)
    .where(where)
    .orderBy(...order, asc(sql`lower(${mailboxes.name})`), asc(mailboxes.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { items, total, page, pageSize, pageCount, filter, profileId, q, sort, direction };
}

function clampInt(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n)) return fallback;
  return Math.min(Math.max(n, min), max);
}
