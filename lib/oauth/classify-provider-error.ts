import type { SignInOutcomeCode } from "./sign-in-outcome";

// Microsoft Entra ID puts its precise reason in error_description as "AADSTS<n>: …";
// the OAuth error code alone (invalid_client, invalid_request) is too coarse to say
// which field or console setting is at fault.
const entraCodes: Record<string, SignInOutcomeCode> = {
  AADSTS65001: "admin_consent_required",
  AADSTS90094: "admin_consent_required",
  AADSTS7000215: "wrong_secret",
  AADSTS7000222: "expired_secret",
  AADSTS50011: "redirect_uri_mismatch",
  AADSTS700016: "app_not_found",
  AADSTS90002: "app_not_found",
  AADSTS70000: "invalid_grant",
  AADSTS54005: "invalid_grant",
  AADSTS700082: "invalid_grant",
  AADSTS65004: "access_denied",
  AADSTS70011: "invalid_scope",
};

const oauthCodes: Record<string, SignInOutcomeCode> = {
  access_denied: "access_denied",
  invalid_client: "invalid_client",
  unauthorized_client: "unauthorized_client",
  redirect_uri_mismatch: "redirect_uri_mismatch",
  invalid_grant: "invalid_grant",
  invalid_scope: "invalid_scope",
  consent_required: "admin_consent_required",
  admin_policy_enforced: "admin_consent_required",
  server_error: "unavailable",
  temporarily_unavailable: "unavailable",
  slow_down: "unavailable",
};

/**
 * Maps a provider's error (the authorization response's or the token endpoint's
 * `error` and `error_description`) to the sign-in outcome that names what to fix:
 * Entra ID's AADSTS code first, then the OAuth 2.0 error code; anything else is
 * "unknown" (shown with the provider's error code).
 */
export function classifyProviderError(error: string | null | undefined, description?: string | null): SignInOutcomeCode {
  const aadsts = /AADSTS\d+/.exec(description ?? "")?.[0];
  if (aadsts && entraCodes[aadsts]) return entraCodes[aadsts];
  return oauthCodes[(error ?? "").trim()] ?? "unknown";
}
