import { and, count, desc, eq, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import { assertCan, can, type Actor } from "../auth/actor";
import { alertViewFor, alertViewOf, selectAlertViews, type AlertPage } from "./alert-view";

export type ListAlertsInput = {
  /** "mine" (default): alerts sent to the actor; "all": everyone's (alert:read-all, admins). */
  scope?: "mine" | "all" | string;
  unreadOnly?: boolean;
  page?: number | string;
  pageSize?: number | string;
};

/**
 * "My alerts" (alert:read-own): the actor's alerts, newest occurrence first, paged,
 * with the unread count. Admins may ask for everyone's; for anyone else "all" is
 * refused, so members only ever see alerts sent to them.
 */
export async function listAlerts(db: Db, actor: Actor | null, input: ListAlertsInput = {}): Promise<AlertPage & { scope: "mine" | "all" }> {
  assertCan(actor, "alert:read-own");
  const scope = input.scope === "all" ? "all" : "mine";
  if (scope === "all") assertCan(actor, "alert:read-all");
  const base: SQL | undefined = scope === "all" && can(actor, "alert:read-all") ? undefined : eq(alerts.recipientId, actor.id);
  const where = and(base, input.unreadOnly ? isNull(alerts.readAt) : undefined);
  const pageSize = clampInt(input.pageSize, 25, 1, 100);
  const [[{ total }], [{ unread }]] = await Promise.all([
    db.select({ total: count() }).from(alerts).where(where),
    db.select({ unread: count() }).from(alerts).where(and(base, isNull(alerts.readAt))),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(clampInt(input.page, 1, 1, Number.MAX_SAFE_INTEGER), pageCount);
  const items = await selectAlertViews(db)
    .where(where)
    .orderBy(desc(alerts.lastSeenAt), desc(alerts.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .then((rows) => rows.map((row) => alertViewFor(actor, alertViewOf(row))));
  return { items, total, unread, page, pageSize, pageCount, scope };
}

function clampInt(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n)) return fallback;
  return Math.min(Math.max(n, min), max);
}
