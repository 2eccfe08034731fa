import { and, eq, inArray, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { findVisibleMailbox } from "../mailboxes/mailbox-view";
import { isUuid } from "../is-uuid";

export type MarkAlertsReadInput =
  /** These alerts. */
  | { ids: string[] }
  /** Every unread alert the actor sees: their own ("mine"), everyone's ("all", admins), or a mailbox's wall. */
  | { all: "mine" | "all" } | { mailboxId: string };

/**
 * Marks alerts read (alert:read-own). People mark only alerts sent to them;
 * admins (alert:read-all) any. Alerts someone else may not see are left as they
 * are, never reported. Returns how many changed.
 */
export async function markAlertsRead(db: Db, actor: Actor | null, input: MarkAlertsReadInput): Promise<number> {
  assertCan(actor, "alert:read-own");
  const everyone = can(actor, "alert:read-all");
  const mine = eq(alerts.recipientId, actor.id);
  let which: SQL | undefined;
  if ("ids" in input) {
    const ids = input.ids.filter(isUuid);
    if (ids.length === 0) return 0;
    which = and(inArray(alerts.id, ids), everyone ? undefined : mine);
  } else if ("mailboxId" in input) {
    assertCan(actor, "mailbox:read-own");
    const m = await findVisibleMailbox(db, actor, input.mailboxId);
    if (!m) throw new AppError("not_found", msg("error.mailbox.notYours"));
    which = and(eq(alerts.mailboxId, m.id), everyone ? undefined : mine);
  } else {
    if (input.all === "all") assertCan(actor, "alert:read-all");
    which = input.all === "all" ? undefined : mine;
  }
  const rows = await db.update(alerts).set({ readAt: new Date() }).where(and(which, isNull(alerts.readAt))).returning({ id: alerts.id });
  return rows.length;
}
