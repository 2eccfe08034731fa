import type { ClassifiedError } from "../mail/errors";
import { msg, nested, type Message } from "../i18n/message";

/** Failures only a new sign-in cures: their alert carries the "Sign in again" link (dedup key `oauth:refresh:<mailbox>`). */
const SIGN_IN_AGAIN = new Set(["oauth_invalid_grant", "oauth_not_connected", "oauth_refused_by_server"]);

/**
 * The alert for a mailbox whose OAuth sign-in is dead, or null for any other
 * failure. One dedup key for both directions, so sync and send failing on the
 * same dead token make one alert per recipient (counted, not repeated); the UI
 * offers "Sign in again" for alerts whose key starts with `oauth:`.
 */
export function oauthAlertFor(error: ClassifiedError, mailbox: { id: string; name: string }): { dedupKey: string; title: Message; message: Message } | null {
  if (!SIGN_IN_AGAIN.has(error.code)) return null;
  return {
    dedupKey: `oauth:refresh:${mailbox.id}`,
    title: msg("credentials.alert.title", { mailbox: mailbox.name }),
    message: msg("credentials.alert.message", nested("reason", error.message)),
  };
}
