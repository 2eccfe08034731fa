import { and, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import { users } from "../../db/schema/users";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { findVisibleMailbox } from "../mailboxes/mailbox-view";
import { pageNumber } from "../page-number";
import { alertViewFor, alertViewOf, selectAlertViews, type AlertPage } from "./alert-view";

/**
 * A mailbox's alert wall (SPEC §5): its alerts, newest occurrence first, paged. The
 * actor must be able to read the mailbox; admins see every recipient's copy,
 * everyone else only the alerts sent to them. One event alerted to several people
 * (the mailbox owner and the profile owner) is shown once, with its recipients:
 * copies with the same dedup key and the same read state are one entry.
 */
export async function listMailboxAlerts(db: Db, actor: Actor | null, input: { mailboxId: string; page?: number | string; pageSize?: number }): Promise<AlertPage> {
  assertCan(actor, "mailbox:read-own");
  const m = await findVisibleMailbox(db, actor, input.mailboxId);
  if (!m) throw new AppError("not_found", msg("error.mailbox.notYours"));
  const where = and(eq(alerts.mailboxId, m.id), can(actor, "alert:read-all") ? undefined : eq(alerts.recipientId, actor.id));
  const pageSize = Math.min(Math.max(input.pageSize ?? 20, 1), 100);
  const entry = sql`(${alerts.dedupKey}, ${alerts.readAt} is null)`;
  const [[{ total }], [{ unread }]] = await Promise.all([
    db.select({ total: sql<number>`count(distinct ${entry})::int` }).from(alerts).where(where),
    db.select({ unread: count() }).from(alerts).where(and(where, isNull(alerts.readAt))),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(pageNumber(input.page ?? 1), pageCount);
  // One row per entry: its most recent copy.
  const newest = db
    .selectDistinctOn([alerts.dedupKey, sql`${alerts.readAt} is null`], { id: alerts.id })
    .from(alerts)
    .where(where)
    .orderBy(alerts.dedupKey, sql`${alerts.readAt} is null`, desc(alerts.lastSeenAt), desc(alerts.id));
  const rows = await selectAlertViews(db)
    .where(inArray(alerts.id, newest))
    .orderBy(desc(alerts.lastSeenAt), desc(alerts.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  // Every copy of the entries on this page: who received it, and the ids "mark read" marks together.
  const copies = rows.length
    ? await db
        .select({ id: alerts.id, dedupKey: alerts.dedupKey, unread: sql<boolean>`${alerts.readAt} is null`, name: users.name })
        .from(alerts)
        .innerJoin(users, eq(users.id, alerts.recipientId))
        .where(and(where, inArray(alerts.dedupKey, [...new Set(rows.map((r) => r.dedupKey))])))
        .orderBy(users.name)
    : [];
  const items = rows.map((r) => {
    const same = copies.filter((c) => c.dedupKey === r.dedupKey && c.unread === (r.readAt === null));
    return { ...alertViewFor(actor, alertViewOf(r)), recipientNames: same.map((c) => c.name), ids: same.map((c) => c.id) };
  });
  return { items, total, unread, page, pageSize, pageCount };
}
