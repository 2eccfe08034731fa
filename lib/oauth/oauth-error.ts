/**
 * Every way getting or using an OAuth token can fail, as codes (the UI renders
 * them from lib/i18n/messages/oauth.ts as "oauth.error.<code>").
 * - not_configured: the profile lacks a setting OAuth needs (`field` names it).
 * - not_connected: nobody has signed in for this mailbox (or the sign-in was removed).
 * - invalid_grant: the refresh token is expired, revoked or consent was withdrawn; sign in again.
 * - secret_expired: the profile's client secret has expired (Microsoft AADSTS7000222).
 * - invalid_client: the provider does not accept the client ID / secret / certificate.
 * - unauthorized_client: the app may not use this grant (Google domain-wide delegation missing).
 * - consent_required: an administrator must consent (Microsoft AADSTS65001).
 * - insecure_endpoint: an endpoint is not HTTPS (only loopback may be plain HTTP).
 * - unavailable: the token endpoint is unreachable, answered 5xx or 429 (transient).
 * - refused_by_server: the mail server refused the access token (XOAUTH2/OAUTHBEARER).
 */
export type OAuthErrorCode =
  | "not_configured"
  | "not_connected"
  | "invalid_grant"
  | "secret_expired"
  | "invalid_client"
  | "unauthorized_client"
  | "consent_required"
  | "insecure_endpoint"
  | "unavailable"
  | "refused_by_server";

/** The profile field an OAuth failure points at (the profile form's names). */
export type OAuthErrorField =
  | "oauthClientId"
  | "oauthClientSecret"
  | "oauthCertificatePem"
  | "oauthServiceAccountKey"
  | "oauthTenant"
  | "oauthTokenUrl"
  | "oauthAuthorizationUrl"
  | "oauthRevocationUrl"
  | "oauthUserinfoUrl"
  | "oauthScopes"
  | null;

/**
 * A failure to obtain or use an OAuth token. `kind` says whether to retry
 * (transient) or to disable until someone fixes a setting or signs in again
 * (permanent). `detail` is technical (provider error code and description,
 * HTTP status), never a token or a secret.
 */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly kind: "transient" | "permanent",
    readonly field: OAuthErrorField,
    readonly detail: string,
  ) {
    super(`OAuth ${code}: ${detail}`);
    this.name = "OAuthError";
  }
}
