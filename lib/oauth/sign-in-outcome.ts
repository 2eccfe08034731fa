import type { MessageKey } from "../i18n/catalog";
import { msg, type Message } from "../i18n/message";

/**
 * What a sign-in (or disconnect) ended in, for the person who pressed the button:
 * a message "oauth.result.<code>" with its parameters, rendered by the UI in the
 * reader's language.
 */
export type SignInOutcome = Message;

/** The outcome codes (the part after "oauth.result."), as they travel in the mailbox page's URL. */
export const signInOutcomeCodes = [
  "connected",
  "disconnected",
  "disconnectedNotRevoked",
  "accountMismatch",
  "noIdentity",
  "stateInvalid",
  "notOAuth",
  "profileIncomplete",
  "noRefreshToken",
  "access_denied",
  "invalid_client",
  "redirect_uri_mismatch",
  "admin_consent_required",
  "wrong_secret",
  "expired_secret",
  "unauthorized_client",
  "invalid_grant",
  "invalid_scope",
  "app_not_found",
  "unavailable",
  "unknown",
] as const;
export type SignInOutcomeCode = (typeof signInOutcomeCodes)[number];

/** The outcome for `code` with its parameters. */
export function signInOutcome(code: SignInOutcomeCode, params?: Record<string, string | number>): SignInOutcome {
  return msg(`oauth.result.${code}` as MessageKey, params);
}

// The parameters an outcome may carry in a URL; anything else in the query is ignored.
const outcomeParams = ["account", "mailbox", "field", "redirectUri", "error", "provider"] as const;

/** The outcome as query parameters of the mailbox page: `oauth=<code>` and `oauth.<param>=<value>`. */
export function outcomeQuery(outcome: SignInOutcome): URLSearchParams {
  const q = new URLSearchParams({ oauth: outcome.key.replace(/^oauth\.result\./, "") });
  for (const [k, v] of Object.entries(outcome.params ?? {})) q.set(`oauth.${k}`, String(v));
  return q;
}

/**
 * Reads an outcome back from the mailbox page's query (outcomeQuery), or null.
 * Only known codes and parameter names are accepted, so a crafted link can at
 * most show one of our own messages.
 */
export function readOutcomeQuery(query: Record<string, string | string[] | undefined>): SignInOutcome | null {
  const code = query.oauth;
  if (typeof code !== "string" || !(signInOutcomeCodes as readonly string[]).includes(code)) return null;
  const params: Record<string, string> = {};
  for (const name of outcomeParams) {
    const v = query[`oauth.${name}`];
    if (typeof v === "string") params[name] = v.slice(0, 300);
  }
  return signInOutcome(code as SignInOutcomeCode, params);
}
