import type { MessageKey } from "../i18n/catalog";
import { msg, type MessageParams } from "../i18n/message";
import type { ClassifiedError, MailErrorContext } from "../mail/errors";
import type { OAuthError } from "../oauth/oauth-error";

/** The provider as the messages name it: a brand stays as it is; "the provider" is translated. */
const PROVIDER_NAMES: Record<string, MessageParams> = { google: { provider: "Google" }, microsoft: { provider: "Microsoft" }, generic: { providerKey: "credentials.provider.generic" } };

/**
 * An OAuth token failure in the classifier's terms, so sync, send and test & enable
 * treat it like any mail error: permanent ones (sign in again, fix a profile field)
 * disable the direction, transient ones (token endpoint unreachable, 5xx, 429) are
 * retried with backoff. Codes are `oauth_<code>`; the field is the profile's.
 */
export function classifyOAuthError(err: OAuthError, ctx: MailErrorContext & { provider?: string | null }): ClassifiedError {
  const field = err.field;
  const text = msg(`credentials.error.${err.code}` as MessageKey, {
    // The profile form's labels: oauthClientSecret → "oauth.field.clientSecret".
    fieldKey: field ? `oauth.field.${field.charAt(5).toLowerCase()}${field.slice(6)}` : "",
    ...(PROVIDER_NAMES[ctx.provider ?? "generic"] ?? PROVIDER_NAMES.generic),
    host: ctx.host,
  });
  return {
    kind: err.kind,
    code: `oauth_${err.code}`,
    field,
    // Who fixes it: a new sign-in happens on the mailbox; app settings live in the profile.
    form: err.code === "not_connected" || err.code === "invalid_grant" ? "mailbox" : field ? "profile" : null,
    message: text,
    detail: `OAuth ${err.code}: ${err.detail}`.slice(0, 2000),
  };
}

/** A mail server's refusal of a token (XOAUTH2/OAUTHBEARER) or of basic authentication, with the hint to give. */
export function oauthRefusal(base: ClassifiedError, ctx: MailErrorContext & { oauth?: boolean }): ClassifiedError {
  if (base.code !== "auth_failed" && base.code !== "message_rejected" && base.code !== "server_unavailable") return base;
  const basicOff = /5\.7\.30|basic authentication is (not supported|disabled)/i.test(base.detail);
  if (ctx.oauth && base.code === "auth_failed") {
    return { ...base, kind: "permanent", code: "oauth_refused_by_server", field: null, form: null, message: msg("credentials.error.refused_by_server", { host: ctx.host }) };
  }
  if (!ctx.oauth && basicOff) {
    return { ...base, kind: "permanent", code: "oauth_basic_auth_disabled", field: `${ctx.direction}AuthMethod`, form: "profile", message: msg("credentials.error.basic_auth_disabled", { host: ctx.host }) };
  }
  return base;
}

