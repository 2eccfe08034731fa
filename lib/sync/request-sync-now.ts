import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { orgSettings } from "../../db/schema/settings";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";

/**
 * "Sync now" on the mailbox page: makes the mailbox due at once, so the next
 * free worker lane picks it up (a sync already running finishes first). Allowed
 * with mailbox:write, or to the mailbox's own user / the queue's owner. Refused
 * with a reason when the mailbox would not be synced anyway (not server-side
 * sync, not enabled for incoming, not approved while approval is required).
 * At most once per the profile's minimum polling interval: a press sooner after the
 * last sync or the last "Sync now" leaves the mailbox due when that interval ends
 * (`deferred`), so pressing again and again cannot hammer the mail server.
 */
export async function requestSyncNow(db: Db, actor: Actor | null, input: { mailboxId: string }): Promise<{ nextSyncAt: Date; deferred: boolean }> {
  assertCan(actor, "mailbox:read-own");
  const [m] = isUuid(input.mailboxId) ? await db.select().from(mailboxes).where(eq(mailboxes.id, input.mailboxId)) : [];
  const own = !!m && (m.userId === actor.id || m.ownerId === actor.id);
  if (!m || (!own && !can(actor, "mailbox:read"))) throw new AppError("not_found", msg("error.mailbox.notYours"));
  if (!own && !can(actor, "mailbox:write")) throw new AppError("forbidden", msg("error.forbidden"));
  if (m.incomingDelivery !== "server_side_sync") {
    throw new AppError("invalid", msg("error.sync.notServerSide"));
  }
  if (!m.incomingEnabled) {
    throw new AppError("invalid", msg("error.sync.notEnabled"));
  }
  if (!m.approvedAt) {
    const [s] = await db.select({ only: orgSettings.processOnlyApproved }).from(orgSettings).where(eq(orgSettings.id, 1));
    if (s?.only ?? true) throw new AppError("invalid", msg("error.sync.notApproved"));
  }
  // One statement, so two presses at once cannot both pass the check.
  const [row] = await db.execute<{ next_sync_at: Date; deferred: boolean }>(sql`
    with allowed as (
      select greatest(m.last_sync_at, m.sync_now_at) + make_interval(mins => coalesce(p.min_polling_interval_minutes, 1)) as at
      from ${mailboxes} m left join ${profiles} p on p.id = m.profile_id where m.id = ${m.id}
    )
    update ${mailboxes} set
      next_sync_at = case when allowed.at is null or allowed.at <= now() then now() else least(${mailboxes.nextSyncAt}, allowed.at) end,
      sync_now_at = case when allowed.at is null or allowed.at <= now() then now() else ${mailboxes.syncNowAt} end,
      updated_at = now()
    from allowed where ${mailboxes.id} = ${m.id}
    returning next_sync_at, not (allowed.at is null or allowed.at <= now()) as deferred`);
  return { nextSyncAt: new Date(row.next_sync_at), deferred: row.deferred };
}
