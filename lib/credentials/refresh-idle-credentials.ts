import { and, eq, isNotNull, lt, or, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { oauthCredentials } from "../../db/schema/oauth";
import { profiles } from "../../db/schema/profiles";
import { raiseAlert } from "../alerts/raise-alert";
import { log } from "../log";
import { OAuthError } from "../oauth/oauth-error";
import { classifyOAuthError } from "./classify-oauth-error";
import { getAccessToken } from "./get-access-token";
import { oauthAlertFor } from "./oauth-alert";
import { lastErrorColumns } from "../mailboxes/last-error-columns";


/**
 * Keeps idle sign-ins alive: every delegated credential not refreshed for
 * `maxAgeMs` (default 20 h, so each is exercised at least daily) gets a new
 * access token now — an unused refresh token dies (Microsoft: 90 days; Google:
 * 7 days for an app in "Testing"). Rotation and the one-refresh-at-a-time lock are
 * getAccessToken's. A refused refresh disables the mailbox at once and alerts its
 * owner and the profile owner (sign in again); an unreachable provider is tried
 * again next round. Returns the counts.
 */
export async function refreshIdleCredentials(db: Db, o: { maxAgeMs?: number; limit?: number } = {}): Promise<{ refreshed: number; failed: number }> {
  const maxAgeMs = o.maxAgeMs ?? 20 * 60 * 60 * 1000;
  const due = await db
    .select({ mailboxId: mailboxes.id, name: mailboxes.name, address: mailboxes.emailAddress, ownerId: mailboxes.ownerId, profileId: oauthCredentials.profileId, profileOwnerId: profiles.ownerId })
    .from(oauthCredentials)
    .innerJoin(mailboxes, eq(mailboxes.id, oauthCredentials.mailboxId))
    .innerJoin(profiles, eq(profiles.id, oauthCredentials.profileId))
    .where(
      and(
        eq(oauthCredentials.kind, "delegated"),
        isNotNull(oauthCredentials.refreshTokenSealed),
        or(isNull(oauthCredentials.lastRefreshAt), lt(oauthCredentials.lastRefreshAt, sql`now() - ${Math.round(maxAgeMs)} * interval '1 millisecond'`)),
      ),
    )
    .limit(o.limit ?? 50);
  let refreshed = 0;
  let failed = 0;
  for (const c of due) {
    try {
      await getAccessToken(db, { kind: "oauth", grant: "delegated", profileId: c.profileId, mailboxId: c.mailboxId, address: c.address }, { force: true });
      refreshed++;
    } catch (err) {
      failed++;
      if (!(err instanceof OAuthError) || err.kind !== "permanent") continue;
      const error = classifyOAuthError(err, { direction: "incoming", protocol: "imap", host: "", port: 0, tls: true, credentialsFrom: "mailbox" });
      await db.transaction(async (tx) => {
        await tx
          .update(mailboxes)
          .set({ incomingEnabled: false, outgoingEnabled: false, incomingStatus: "failure", outgoingStatus: "failure", ...lastErrorColumns(error.message, error.code), updatedAt: new Date() })
          .where(eq(mailboxes.id, c.mailboxId));
        const alert = oauthAlertFor(error, { id: c.mailboxId, name: c.name });
        if (alert) await raiseAlert(tx, { severity: "error", recipientIds: [c.ownerId, c.profileOwnerId], mailboxId: c.mailboxId, profileId: c.profileId, detail: error.detail, ...alert });
      });
      log("warn", "idle oauth sign-in refused; mailbox disabled", { mailboxId: c.mailboxId, code: error.code });
    }
  }
  return { refreshed, failed };
}

