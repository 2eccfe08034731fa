import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { oauthCredentials } from "../../db/schema/oauth";
import { profiles } from "../../db/schema/profiles";
import type { OAuthProvider } from "./oauth-presets";

/** A mailbox's OAuth 2.0 state for its page: never a token, only who signed in, since when, and the last error. */
export type OAuthConnectionView = {
  provider: OAuthProvider;
  /** delegated: each mailbox signs in; app: the profile's app acts for every mailbox. */
  mode: "delegated" | "app";
  /** False when both directions sign in with OAuth 2.0: the mailbox's own user name and password are then unused. */
  passwordsUsed: boolean;
  connection: { account: string | null; connectedAt: Date; lastErrorCode: string | null; lastErrorAt: Date | null } | null;
};

/**
 * The OAuth 2.0 connection of a mailbox, or null when its profile does not sign
 * in with OAuth 2.0. Callers have checked that the actor may read the mailbox.
 */
export async function findOAuthConnection(db: DbOrTx, mailbox: { id: string; profileId: string | null }): Promise<OAuthConnectionView | null> {
  if (!mailbox.profileId) return null;
  const [p] = await db
    .select({ provider: profiles.oauthProvider, credentialMode: profiles.credentialMode, incoming: profiles.incomingAuthMethod, outgoing: profiles.outgoingAuthMethod })
    .from(profiles)
    .where(eq(profiles.id, mailbox.profileId));
  if (!p?.provider || (p.incoming !== "xoauth2" && p.outgoing !== "xoauth2")) return null;
  const mode = p.credentialMode === "profile" ? "app" : "delegated";
  const [c] = await db
    .select({ account: oauthCredentials.account, connectedAt: oauthCredentials.connectedAt, lastErrorCode: oauthCredentials.lastErrorCode, lastErrorAt: oauthCredentials.lastErrorAt })
    .from(oauthCredentials)
    .where(eq(oauthCredentials.key, `mailbox:${mailbox.id}`));
  return { provider: p.provider as OAuthProvider, mode, passwordsUsed: p.incoming !== "xoauth2" || p.outgoing !== "xoauth2", connection: c ?? null };
}
