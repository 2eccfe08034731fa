import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emails } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import type { Actor } from "../auth/actor";
import { isUuid } from "../is-uuid";
import { pageNumber } from "../page-number";
import { mailNotFound, readableMailboxes } from "./readable-mailboxes";

/** Why a message sits in quarantine: it could not be parsed, or it was too large to store whole. */
export type QuarantineReason = { kind: "unparsed"; detail: string } | { kind: "oversized"; sizeBytes: number };

export type QuarantineRow = {
  id: number;
  fromAddress: string;
  subject: string;
  storedAt: Date;
  sizeBytes: number;
  reason: QuarantineReason;
};

export type QuarantineList = {
  mailbox: { id: string; name: string; emailAddress: string };
  rows: QuarantineRow[];
  total: number;
  page: number;
  pageSize: number;
};

/** The condition that puts a stored message in quarantine (stored raw and flagged by the sync engine). */
// Written as emails_quarantine_idx's predicate, so the planner uses that partial index.
export const quarantined = sql`(${emails.parseError} is not null or ${emails.oversized})`;

/**
 * One page of a mailbox's quarantined messages (could not be parsed, or too
 * large: stored with headers only), newest first, each with its reason. A
 * mailbox the actor may not read is "not found", as for the mail list.
 */
export async function listQuarantine(db: Db, actor: Actor | null, input: { mailboxId: string; page?: number | string; pageSize?: number }): Promise<QuarantineList> {
  const where = readableMailboxes(actor, input.mailboxId);
  if (!isUuid(input.mailboxId)) throw mailNotFound();
  const [mailbox] = await db.select({ id: mailboxes.id, name: mailboxes.name, emailAddress: mailboxes.emailAddress }).from(mailboxes).where(where);
  if (!mailbox) throw mailNotFound();
  const pageSize = Math.min(Math.max(Math.trunc(input.pageSize ?? 50), 1), 200);
  const filter = and(eq(emails.mailboxId, mailbox.id), quarantined);
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(emails).where(filter);
  // A page past the end shows the last page.
  const page = Math.min(pageNumber(input.page ?? 1), Math.max(1, Math.ceil(n / pageSize)));
  const rows = await db
    .select({
      id: emails.id,
      fromAddress: emails.fromAddress,
      subject: emails.subject,
      storedAt: emails.storedAt,
      sizeBytes: emails.sizeBytes,
      parseError: emails.parseError,
      oversized: emails.oversized,
    })
    .from(emails)
    .where(filter)
    .orderBy(sql`${emails.storedAt} desc nulls last`, sql`${emails.id} desc nulls last`)
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return {
    mailbox,
    total: n,
    page,
    pageSize,
    rows: rows.map((r) => ({
      id: r.id,
      fromAddress: r.fromAddress,
      subject: r.subject,
      storedAt: r.storedAt,
      sizeBytes: r.sizeBytes,
      reason: r.oversized ? { kind: "oversized", sizeBytes: r.sizeBytes } : { kind: "unparsed", detail: r.parseError ?? "" },
    })),
  };
}
