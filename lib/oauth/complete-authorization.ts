import { eq } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { Db } from "../../db/client";
import { oauthAuthorizations } from "../../db/schema/oauth";
import { assertCan, type Actor } from "../auth/actor";
import { openSecret } from "../crypto/open-secret";
import { saveDelegatedCredential } from "../credentials/save-delegated-credential";
import { AppError } from "../errors";
import { log } from "../log";
import { classifyProviderError } from "./classify-provider-error";
import { isDelegatedOAuth, loadSignInTarget } from "./load-sign-in-target";
import { buildOAuthClient, type OAuthClient } from "./oauth-client";
import { OAuthError } from "./oauth-error";
import { signInOutcome, type SignInOutcome } from "./sign-in-outcome";
import { hashState } from "./start-authorization";
import { sealContext } from "../crypto/seal-context";

export type CompleteAuthorizationResult = {
  /** The mailbox the sign-in was for; null when the state names none (expired, reused, forged). */
  mailboxId: string | null;
  outcome: SignInOutcome;
};

/**
 * Finishes a delegated sign-in when the provider sends the browser back (SPEC §3).
 * The `state` must match a pending sign-in of this very user, not expired; it is
 * consumed whatever happens next. The response is validated (state, and `iss`
 * when the provider sends it), the code exchanged with the PKCE verifier, and the
 * signed-in account read from the ID token (email, preferred_username, upn) or
 * the userinfo endpoint. Only when that account is the mailbox's address and a
 * refresh token was issued are the tokens stored (sealed) as the mailbox's
 * credential; otherwise nothing is stored and the outcome says why, naming the
 * account that signed in or the provider's error and the setting at fault.
 */
export async function completeAuthorization(db: Db, actor: Actor | null, input: { callbackUrl: URL }): Promise<CompleteAuthorizationResult> {
  assertCan(actor, "mailbox:read-own");
  const params = input.callbackUrl.searchParams;
  const state = params.get("state");
  if (!state) return { mailboxId: null, outcome: signInOutcome("stateInvalid") };
  // Single use: the row is deleted by the first callback that presents its state.
  const [pending] = await db.delete(oauthAuthorizations).where(eq(oauthAuthorizations.stateHash, hashState(state))).returning();
  if (!pending || pending.expiresAt.getTime() < Date.now() || pending.userId !== actor.id) {
    return { mailboxId: pending && pending.userId === actor.id ? pending.mailboxId : null, outcome: signInOutcome("stateInvalid") };
  }
  const mailboxId = pending.mailboxId;
  const done = (outcome: SignInOutcome): CompleteAuthorizationResult => ({ mailboxId, outcome });

  let target: Awaited<ReturnType<typeof loadSignInTarget>>;
  try {
    target = await loadSignInTarget(db, actor, mailboxId);
  } catch (err) {
    // The user lost the right to this mailbox since starting: say nothing about it.
    if (err instanceof AppError) return { mailboxId: null, outcome: signInOutcome("stateInvalid") };
    throw err;
  }
  const { mailbox, profile } = target;
  if (!profile || !isDelegatedOAuth(profile)) return done(signInOutcome("notOAuth"));

  let client: OAuthClient;
  try {
    client = await buildOAuthClient(profile, "delegated");
  } catch (err) {
    if (err instanceof OAuthError) return done(signInOutcome("profileIncomplete", { field: err.field ?? "oauthTokenUrl" }));
    throw err;
  }

  const providerError = params.get("error");
  if (providerError) {
    const description = params.get("error_description");
    log("warn", "oauth sign-in refused by the provider", { mailboxId, error: providerError, description });
    return done(providerOutcome(providerError, description, pending.redirectUri));
  }

  let tokens: oauth.TokenEndpointResponse;
  try {
    const callback = oauth.validateAuthResponse(client.as, client.client, params, state);
    const response = await oauth.authorizationCodeGrantRequest(client.as, client.client, client.clientAuth, callback, pending.redirectUri, openSecret(pending.codeVerifierSealed, sealContext(oauthAuthorizations.codeVerifierSealed, pending.stateHash)), client.options);
    tokens = await oauth.processAuthorizationCodeResponse(client.as, client.client, response, { expectedNonce: pending.nonce ?? oauth.expectNoNonce, requireIdToken: false });
  } catch (err) {
    return done(exchangeFailure(err, mailboxId, pending.redirectUri));
  }

  const account = await signedInAccount(client, tokens);
  if (!account) return done(signInOutcome("noIdentity"));
  if (account.toLowerCase() !== mailbox.emailAddress.trim().toLowerCase()) {
    log("warn", "oauth sign-in with another account refused", { mailboxId });
    return done(signInOutcome("accountMismatch", { account, mailbox: mailbox.emailAddress }));
  }
  if (!tokens.refresh_token) return done(signInOutcome("noRefreshToken"));

  await saveDelegatedCredential(db, {
    mailboxId,
    profileId: profile.id,
    account,
    refreshToken: tokens.refresh_token,
    accessToken: tokens.access_token,
    expiresInSeconds: typeof tokens.expires_in === "number" ? tokens.expires_in : 0,
    scope: tokens.scope ?? null,
    connectedById: actor.id,
  });
  log("info", "oauth mailbox connected", { mailboxId });
  return done(signInOutcome("connected", { account }));
}

/** The address the provider says signed in: ID token claims first, then the userinfo endpoint. */
async function signedInAccount(client: OAuthClient, tokens: oauth.TokenEndpointResponse): Promise<string | null> {
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const fromClaims = (c: Record<string, unknown> | undefined) => {
    for (const name of ["email", "preferred_username", "upn"]) {
      const v = c?.[name];
      if (typeof v === "string" && v.includes("@")) return v.trim();
    }
    return null;
  };
  const direct = fromClaims(claims);
  if (direct || !client.as.userinfo_endpoint) return direct;
  try {
    const response = await oauth.userInfoRequest(client.as, client.client, tokens.access_token, client.options);
    const info = await oauth.processUserInfoResponse(client.as, client.client, claims?.sub ?? oauth.skipSubjectCheck, response);
    return fromClaims(info);
  } catch (err) {
    log("warn", "oauth userinfo request failed", { err: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

function providerOutcome(error: string, description: string | null | undefined, redirectUri: string): SignInOutcome {
  const code = classifyProviderError(error, description);
  if (code === "redirect_uri_mismatch") return signInOutcome(code, { redirectUri });
  if (code === "unknown") return signInOutcome(code, { error: /^[\w.-]{1,64}$/.test(error) ? error : "error" });
  return signInOutcome(code);
}

/** A failed validation or code exchange, as the outcome naming what to fix; logged without tokens. */
function exchangeFailure(err: unknown, mailboxId: string, redirectUri: string): SignInOutcome {
  if (err instanceof oauth.AuthorizationResponseError) return providerOutcome(err.error, err.error_description, redirectUri);
  if (err instanceof oauth.ResponseBodyError) {
    log("warn", "oauth code exchange refused", { mailboxId, status: err.status, error: err.error, description: err.error_description });
    if (err.status >= 500 || err.status === 429) return signInOutcome("unavailable");
    return providerOutcome(err.error, err.error_description, redirectUri);
  }
  if (err instanceof oauth.OperationProcessingError) {
    // A state or issuer that does not match, an ID token that fails its checks: not a response to trust.
    log("warn", "oauth response rejected", { mailboxId, code: err.code, message: err.message });
    return /state/i.test(err.message) ? signInOutcome("stateInvalid") : signInOutcome("unknown", { error: err.code ?? "invalid_response" });
  }
  log("warn", "oauth token endpoint unreachable", { mailboxId, err: err instanceof Error ? err.message : String(err) });
  return signInOutcome("unavailable");
}
