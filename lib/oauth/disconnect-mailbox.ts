import { eq } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { Db } from "../../db/client";
import { oauthCredentials } from "../../db/schema/oauth";
import type { Actor } from "../auth/actor";
import { openSecret } from "../crypto/open-secret";
import { log } from "../log";
import { loadSignInTarget } from "./load-sign-in-target";
import { buildOAuthClient } from "./oauth-client";
import { signInOutcome, type SignInOutcome } from "./sign-in-outcome";
import { sealContext } from "../crypto/seal-context";

/**
 * Disconnects a mailbox's delegated sign-in (its owner or mailbox:write): revokes
 * the refresh token at the profile's revocation endpoint when it has one (RFC
 * 7009; Google has one, Microsoft does not), then deletes the stored tokens in any
 * case. The outcome says whether the provider confirmed the revocation.
 */
export async function disconnectMailbox(db: Db, actor: Actor | null, input: { mailboxId: string }): Promise<SignInOutcome> {
  const { mailbox, profile } = await loadSignInTarget(db, actor, input.mailboxId);
  const key = `mailbox:${mailbox.id}`;
  const [credential] = await db.select().from(oauthCredentials).where(eq(oauthCredentials.key, key));
  if (!credential) return signInOutcome("disconnected");
  let revoked = true;
  const token = credential.refreshTokenSealed ?? credential.accessTokenSealed;
  const tokenColumn = credential.refreshTokenSealed ? oauthCredentials.refreshTokenSealed : oauthCredentials.accessTokenSealed;
  if (profile?.oauthRevocationUrl && token) {
    try {
      const client = await buildOAuthClient(profile, "delegated");
      const response = await oauth.revocationRequest(client.as, client.client, client.clientAuth, openSecret(token, sealContext(tokenColumn, key)), client.options);
      await oauth.processRevocationResponse(response);
    } catch (err) {
      revoked = false;
      log("warn", "oauth revocation failed", { mailboxId: mailbox.id, err: err instanceof Error ? err.message : String(err) });
    }
  }
  await db.delete(oauthCredentials).where(eq(oauthCredentials.key, key));
  log("info", "oauth mailbox disconnected", { mailboxId: mailbox.id, revoked });
  if (!revoked) return signInOutcome("disconnectedNotRevoked", { provider: providerName(profile?.oauthProvider ?? null, profile?.oauthRevocationUrl ?? "") });
  return signInOutcome("disconnected");
}

/** The provider by its brand, or a hand-made server by its host name. */
function providerName(provider: string | null, revocationUrl: string): string {
  if (provider === "google") return "Google";
  if (provider === "microsoft") return "Microsoft";
  try {
    return new URL(revocationUrl).host;
  } catch {
    return "OAuth 2.0";
  }
}
