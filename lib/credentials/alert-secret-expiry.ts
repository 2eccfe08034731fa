import { and, eq, gt, isNotNull, lt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import { profiles } from "../../db/schema/profiles";
import { raiseAlert } from "../alerts/raise-alert";
import { msg } from "../i18n/message";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Days before a client secret expires at which its profile's owner is told (largest first). */
const THRESHOLDS = [30, 7, 1];

/**
 * Warns profile owners 30, 7 and 1 days before their OAuth client secret expires
 * (oauth_secret_expires_at), once each: the alert's dedup key names the profile,
 * the threshold and the expiry date, and a key already raised (read or not) is not
 * raised again. A secret entered with less time left gets only the nearest
 * threshold's alert. Returns how many alerts were raised.
 */
export async function alertSecretExpiry(db: Db, now = new Date()): Promise<number> {
  const soon = await db
    .select({ id: profiles.id, name: profiles.name, ownerId: profiles.ownerId, expiresAt: profiles.oauthSecretExpiresAt })
    .from(profiles)
    .where(and(isNotNull(profiles.oauthSecretExpiresAt), isNotNull(profiles.ownerId), lt(profiles.oauthSecretExpiresAt, new Date(now.getTime() + THRESHOLDS[0] * DAY_MS)), gt(profiles.oauthSecretExpiresAt, new Date(now.getTime() - DAY_MS))));
  let raised = 0;
  for (const p of soon) {
    const msLeft = p.expiresAt!.getTime() - now.getTime();
    const threshold = [...THRESHOLDS].reverse().find((d) => msLeft <= d * DAY_MS)!;
    const date = p.expiresAt!.toISOString().slice(0, 10);
    // Not "oauth:": that prefix means "sign in again" to the UI.
    const dedupKey = `secret-expiry:${p.id}:${threshold}:${date}`;
    const [seen] = await db.select({ id: alerts.id }).from(alerts).where(and(eq(alerts.dedupKey, dedupKey), eq(alerts.recipientId, p.ownerId!))).limit(1);
    if (seen) continue;
    const days = Math.max(0, Math.ceil(msLeft / DAY_MS));
    await raiseAlert(db, {
      severity: threshold === 30 ? "warning" : "error",
      recipientIds: [p.ownerId],
      profileId: p.id,
      dedupKey,
      title: msg("credentials.secretExpiry.title", { profile: p.name, days }),
      message: msg("credentials.secretExpiry.message", { profile: p.name, date }),
    });
    raised++;
  }
  return raised;
}
