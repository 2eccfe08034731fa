import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { oauthCredentials, type OAuthCredential } from "../../db/schema/oauth";
import { profiles } from "../../db/schema/profiles";
import { openSecret } from "../crypto/open-secret";
import { sealSecret } from "../crypto/seal-secret";
import { log } from "../log";
import { countTokenRefresh } from "../metrics/count-token-refresh";
import { buildOAuthClient } from "../oauth/oauth-client";
import { OAuthError } from "../oauth/oauth-error";
import type { CredentialSource } from "./mail-auth";
import { requestToken } from "./request-token";
import { sealContext } from "../crypto/seal-context";

type OAuthSource = Extract<CredentialSource, { kind: "oauth" }>;

/** Reuse an access token until this close to its expiry (or half its lifetime, if shorter: a short-lived token must not die between this check and the server reading it). */
const EXPIRY_MARGIN_MS = 60_000;

/** The oauth_credentials key of a source (see db/schema/oauth.ts). */
export function credentialKey(s: OAuthSource, provider: string | null): string {
  if (s.grant === "delegated") return `mailbox:${s.mailboxId}`;
  return provider === "google" ? `app:${s.profileId}:${s.address.toLowerCase()}` : `app:${s.profileId}`;
}

/**
 * A usable access token for an OAuth credential: the stored one while it is
 * comfortably valid, otherwise a new one from the token endpoint (refresh grant
 * for a delegated sign-in; client credentials or JWT bearer for app-only).
 *
 * At most one refresh per credential runs at a time across every process: the
 * refresh happens under a row lock (SELECT … FOR UPDATE) and whoever waited on the
 * lock re-reads the row and uses the token the winner stored. A rotated refresh
 * token is sealed and committed before the new access token is handed out, so a
 * crash after the refresh loses nothing. `force` refreshes even a valid token
 * (the daily keep-alive, or after a mail server refused it).
 *
 * Throws OAuthError: not_connected when nobody signed in (never a password
 * fallback), invalid_grant & co. when the provider refuses (the stored tokens
 * are cleared: the mailbox must sign in again), unavailable when it is unreachable.
 */
export async function getAccessToken(db: Db, s: OAuthSource, opts: { force?: boolean } = {}): Promise<string> {
  const [profile] = await db.select().from(profiles).where(eq(profiles.id, s.profileId));
  if (!profile) throw new OAuthError("not_configured", "permanent", null, "the profile no longer exists");
  const key = credentialKey(s, profile.oauthProvider);

  const [seen] = await db.select().from(oauthCredentials).where(eq(oauthCredentials.key, key));
  if (s.grant === "delegated" && !seen?.refreshTokenSealed) throw notConnected(seen);
  if (!opts.force) {
    const fresh = seen && usableAccessToken(seen);
    if (fresh) return fresh;
  }

  if (s.grant === "app") {
    // App-only credentials come into being on first use; the row is what the lock is taken on.
    await db
      .insert(oauthCredentials)
      .values({ key, kind: "app", profileId: s.profileId, mailboxId: profile.oauthProvider === "google" ? s.mailboxId : null, account: profile.oauthProvider === "google" ? s.address.toLowerCase() : null })
      .onConflictDoNothing({ target: oauthCredentials.key });
  }

  const client = await buildOAuthClient(profile, s.grant);
  let failure: OAuthError | undefined;
  let refreshed = false;
  const token = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(oauthCredentials).where(eq(oauthCredentials.key, key)).for("update");
    if (!row || (s.grant === "delegated" && !row.refreshTokenSealed)) throw notConnected(row);
    // Someone else may have refreshed while we waited for the lock (for a forced
    // refresh: since we looked, told by last_refresh_at, the database's own clock).
    const refreshedMeanwhile = row.lastRefreshAt?.getTime() !== seen?.lastRefreshAt?.getTime();
    const fresh = !opts.force || refreshedMeanwhile ? usableAccessToken(row) : null;
    if (fresh) return fresh;
    try {
      const grant = await requestToken(
        client,
        s.grant === "delegated" ? { kind: "refresh", refreshToken: openSecret(row.refreshTokenSealed!, sealContext(oauthCredentials.refreshTokenSealed, row.key)) } : { kind: "app", subject: s.address },
      );
      await tx
        .update(oauthCredentials)
        .set({
          // Stored the moment it arrives (this transaction commits before the access token is used).
          ...(grant.refreshToken ? { refreshTokenSealed: sealSecret(grant.refreshToken, sealContext(oauthCredentials.refreshTokenSealed, row.key)) } : {}),
          accessTokenSealed: sealSecret(grant.accessToken, sealContext(oauthCredentials.accessTokenSealed, row.key)),
          accessTokenExpiresAt: sql`now() + ${grant.expiresInSeconds} * interval '1 second'`,
          scope: grant.scope ?? row.scope,
          lastRefreshAt: sql`now()`,
          lastErrorCode: null,
          lastErrorAt: null,
        })
        .where(eq(oauthCredentials.id, row.id));
      refreshed = true;
      return grant.accessToken;
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      failure = err;
      await tx
        .update(oauthCredentials)
        .set({
          lastErrorCode: err.code,
          lastErrorAt: sql`now()`,
          // A refused grant is dead: keep nothing that looks connected.
          ...(err.code === "invalid_grant" ? { refreshTokenSealed: null, accessTokenSealed: null, accessTokenExpiresAt: null } : {}),
        })
        .where(eq(oauthCredentials.id, row.id));
      return null;
    }
  });
  if (token === null) {
    countTokenRefresh("failed", profile.oauthProvider ?? "unknown");
    log("warn", "oauth token request failed", { key, code: failure!.code, kind: failure!.kind, detail: failure!.detail });
    throw failure!;
  }
  // Counted where the token endpoint answered (not when another process's fresh token was reused).
  if (refreshed) countTokenRefresh("ok", profile.oauthProvider ?? "unknown");
  log("info", "oauth token refreshed", { key });
  return token;
}

/** The stored access token if it is valid for longer than the margin. */
function usableAccessToken(row: OAuthCredential): string | null {
  if (!row.accessTokenSealed || !row.accessTokenExpiresAt) return null;
  const expires = row.accessTokenExpiresAt.getTime();
  const lifetime = row.lastRefreshAt ? expires - row.lastRefreshAt.getTime() : EXPIRY_MARGIN_MS * 2;
  const margin = Math.min(EXPIRY_MARGIN_MS, Math.max(0, lifetime / 2));
  if (expires - Date.now() <= margin) return null;
  return openSecret(row.accessTokenSealed, sealContext(oauthCredentials.accessTokenSealed, row.key));
}

function notConnected(row: OAuthCredential | undefined): OAuthError {
  // After a refused refresh the row keeps why; say that rather than "never connected".
  if (row?.lastErrorCode === "invalid_grant") return new OAuthError("invalid_grant", "permanent", null, "the sign-in was refused earlier; sign in again");
  return new OAuthError("not_connected", "permanent", null, "no OAuth sign-in is stored for this mailbox");
}
