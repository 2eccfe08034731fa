import * as oauth from "oauth4webapi";
import type { OAuthClient } from "../oauth/oauth-client";
import { OAuthError } from "../oauth/oauth-error";

/** What the token endpoint gave: an access token, maybe a (rotated) refresh token. */
export type TokenGrant = { accessToken: string; refreshToken?: string; expiresInSeconds: number; scope?: string };

/** Which grant to run: refresh a delegated sign-in, or get an app-only token (acting as `subject` for Google). */
export type TokenRequest = { kind: "refresh"; refreshToken: string } | { kind: "app"; subject: string };

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** A token endpoint that gives no lifetime: assume an hour (Google's and Entra ID's usual). */
const DEFAULT_LIFETIME_S = 3600;

/**
 * Runs one token endpoint request with oauth4webapi: refresh_token for a
 * delegated credential; for app-only, client_credentials (Microsoft, generic) or
 * the RFC 7523 JWT bearer grant with the service account (Google). Failures
 * become OAuthError: invalid_grant & co. permanent (sign in again / fix a profile
 * field), unreachable, 5xx and 429 transient.
 */
export async function requestToken(c: OAuthClient, r: TokenRequest): Promise<TokenGrant> {
  let response: oauth.TokenEndpointResponse;
  try {
    if (r.kind === "refresh") {
      const res = await oauth.refreshTokenGrantRequest(c.as, c.client, c.clientAuth, r.refreshToken, c.options);
      response = await oauth.processRefreshTokenResponse(c.as, c.client, res);
    } else if (c.jwtBearerAssertion) {
      const res = await oauth.genericTokenEndpointRequest(c.as, c.client, c.clientAuth, JWT_BEARER, { assertion: c.jwtBearerAssertion(r.subject) }, c.options);
      response = await oauth.processGenericTokenEndpointResponse(c.as, c.client, res);
    } else {
      const res = await oauth.clientCredentialsGrantRequest(c.as, c.client, c.clientAuth, { scope: c.scopes }, c.options);
      response = await oauth.processClientCredentialsResponse(c.as, c.client, res);
    }
  } catch (err) {
    throw tokenError(err, c);
  }
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    expiresInSeconds: typeof response.expires_in === "number" && response.expires_in > 0 ? response.expires_in : DEFAULT_LIFETIME_S,
    scope: response.scope,
  };
}

/** Maps an oauth4webapi or network failure to an OAuthError with the profile field at fault. */
function tokenError(err: unknown, c: OAuthClient): OAuthError {
  if (err instanceof OAuthError) return err;
  const secretField = c.credentialField;
  if (err instanceof oauth.ResponseBodyError) {
    const description = err.error_description ?? "";
    const detail = `token endpoint HTTP ${err.status}: ${err.error}${description ? ` (${description.slice(0, 300)})` : ""}`;
    if (err.status >= 500 || err.status === 429 || ["temporarily_unavailable", "server_error", "slow_down"].includes(err.error)) {
      return new OAuthError("unavailable", "transient", null, detail);
    }
    // Entra ID's AADSTS codes say more than the OAuth error code they come with.
    if (/AADSTS7000222/.test(description)) return new OAuthError("secret_expired", "permanent", "oauthClientSecret", detail);
    if (/AADSTS65001|AADSTS650057|consent_required/.test(description) || err.error === "consent_required") {
      return new OAuthError("consent_required", "permanent", null, detail);
    }
    if (err.error === "invalid_grant") return new OAuthError("invalid_grant", "permanent", null, detail);
    if (err.error === "invalid_client" || /AADSTS7000215|AADSTS700027/.test(description)) return new OAuthError("invalid_client", "permanent", secretField, detail);
    if (err.error === "unauthorized_client") return new OAuthError("unauthorized_client", "permanent", c.jwtBearerAssertion ? "oauthServiceAccountKey" : "oauthClientId", detail);
    if (err.error === "invalid_scope") return new OAuthError("not_configured", "permanent", "oauthScopes", detail);
    // Any other refusal: retried (and alerted after repeated failures) rather than guessed at.
    return new OAuthError("unavailable", "transient", null, detail);
  }
  if (err instanceof oauth.OperationProcessingError || err instanceof oauth.WWWAuthenticateChallengeError) {
    const status = (err.cause as { status?: number } | undefined)?.status ?? (err as { response?: Response }).response?.status;
    if (err instanceof oauth.WWWAuthenticateChallengeError) return new OAuthError("invalid_client", "permanent", secretField, `token endpoint challenge: ${err.message}`);
    return new OAuthError("unavailable", "transient", null, `token endpoint answer not usable${status ? ` (HTTP ${status})` : ""}: ${err.message}`);
  }
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  return new OAuthError("unavailable", "transient", null, `token endpoint unreachable: ${e.name ?? "Error"}: ${e.cause?.code ?? e.message ?? String(err)}`);
}
