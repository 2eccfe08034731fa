import { createHash } from "node:crypto";
import { lt } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { Db } from "../../db/client";
import { oauthAuthorizations } from "../../db/schema/oauth";
import type { Actor } from "../auth/actor";
import { sealSecret } from "../crypto/seal-secret";
import { buildOAuthClient } from "./oauth-client";
import { OAuthError } from "./oauth-error";
import { withIdentityScopes, type OAuthProvider } from "./oauth-presets";
import { isDelegatedOAuth, loadSignInTarget } from "./load-sign-in-target";
import { signInOutcome, type SignInOutcome } from "./sign-in-outcome";
import { sealContext } from "../crypto/seal-context";

/** How long a started sign-in may take before its state is refused (consent screens, MFA). */
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

export type StartAuthorizationInput = { mailboxId: string; redirectUri: string };

/** Where to send the browser: the provider's sign-in page, or back to the mailbox with why not. */
export type StartAuthorizationResult = { kind: "redirect"; url: string } | { kind: "refused"; mailboxId: string; outcome: SignInOutcome };

/** SHA-256 of a state value: what oauth_authorizations stores, so a database reader cannot finish a sign-in. */
export function hashState(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/**
 * Starts a mailbox's delegated sign-in (SPEC §3): for its owner or mailbox:write,
 * on a mailbox whose profile signs in with OAuth 2.0 per mailbox. Makes a PKCE
 * (S256) verifier and a single-use random `state` bound to the actor and the
 * mailbox (stored hashed, verifier sealed, expiring after 10 minutes), and returns
 * the provider's authorization URL asking for offline access (Google:
 * access_type=offline&prompt=consent) and the identity scopes, with the mailbox's
 * address as login_hint. Throws AppError not_found / forbidden.
 */
export async function startAuthorization(db: Db, actor: Actor | null, input: StartAuthorizationInput): Promise<StartAuthorizationResult> {
  const { mailbox, profile } = await loadSignInTarget(db, actor, input.mailboxId);
  const refused = (outcome: SignInOutcome): StartAuthorizationResult => ({ kind: "refused", mailboxId: mailbox.id, outcome });
  if (!profile || !isDelegatedOAuth(profile)) return refused(signInOutcome("notOAuth"));

  let client: Awaited<ReturnType<typeof buildOAuthClient>>;
  try {
    client = await buildOAuthClient(profile, "delegated");
  } catch (err) {
    if (err instanceof OAuthError) return refused(signInOutcome("profileIncomplete", { field: err.field ?? "oauthTokenUrl" }));
    throw err;
  }
  const endpoint = client.as.authorization_endpoint;
  if (!endpoint) return refused(signInOutcome("profileIncomplete", { field: "oauthAuthorizationUrl" }));

  const provider = client.provider as OAuthProvider;
  const state = oauth.generateRandomState();
  const verifier = oauth.generateRandomCodeVerifier();
  const scope = withIdentityScopes(provider, client.scopes);
  const nonce = scope.split(" ").includes("openid") ? oauth.generateRandomNonce() : null;
  const now = Date.now();
  // Abandoned sign-ins are removed whenever a new one starts; they were useless after expiry anyway.
  await db.delete(oauthAuthorizations).where(lt(oauthAuthorizations.expiresAt, new Date(now)));
  const stateHash = hashState(state);
  await db.insert(oauthAuthorizations).values({
    stateHash,
    mailboxId: mailbox.id,
    userId: actor!.id,
    codeVerifierSealed: sealSecret(verifier, sealContext(oauthAuthorizations.codeVerifierSealed, stateHash)),
    nonce,
    redirectUri: input.redirectUri,
    expiresAt: new Date(now + AUTHORIZATION_TTL_MS),
  });

  const url = new URL(endpoint);
  const params: Record<string, string> = {
    response_type: "code",
    client_id: client.client.client_id,
    redirect_uri: input.redirectUri,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    login_hint: mailbox.emailAddress,
  };
  if (nonce) params.nonce = nonce;
  // Google issues a refresh token only with offline access, and again only when consent is asked anew.
  if (provider === "google") Object.assign(params, { access_type: "offline", prompt: "consent" });
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { kind: "redirect", url: url.href };
}
