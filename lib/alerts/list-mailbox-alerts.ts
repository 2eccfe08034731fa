import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { findVisibleMailbox } from "../mailboxes/mailbox-view";
import { alertViewOf, selectAlertViews, type AlertPage } from "./alert-view";

/**
 * A mailbox's alert wall (SPEC §5): its alerts, newest occurrence first, paged. The
 * actor must be able to read the mailbox; admins see every recipient's copy,
 * everyone else only the alerts sent to them.
 */
export async function listMailboxAlerts(db: Db, actor: Actor | null, input: { mailboxId: string; page?: number | string; pageSize?: number }): Promise<AlertPage> {
  assertCan(actor, "mailbox:read-own");
  const m = await findVisibleMailbox(db, actor, input.mailboxId);
  if (!m) throw new AppError("not_found", msg("error.mailbox.notYours"));
  const where = and(eq(alerts.mailboxId, m.id), can(actor, "alert:read-all") ? undefined : eq(alerts.recipientId, actor.id));
  const pageSize = Math.min(Math.max(input.pageSize ?? 20, 1), 100);
  const [[{ total }], [{ unread }]] = await Promise.all([
    db.select({ total: count() }).from(alerts).where(where),
    db.select({ unread: count() }).from(alerts).where(and(where, isNull(alerts.readAt))),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const requested = Number(input.page);
  const page = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), pageCount) : 1;
  const items = await selectAlertViews(db).where(where).orderBy(desc(alerts.lastSeenAt), desc(alerts.id)).limit(pageSize).offset((page - 1) * pageSize)
    .then((rows) => rows.map(alertViewOf));
  return { items, total, unread, page, pageSize, pageCount };
}
