/** The path of the callback route the provider sends the browser back to (app/oauth/callback/route.ts). */
export const oauthCallbackPath = "/oauth/callback";

/**
 * The redirect URI to register in the provider's console, built from the app's
 * public address (MAILROOM_PUBLIC_URL, or the address a page was opened at). The
 * same string goes into the authorization request and the code exchange.
 */
export function oauthRedirectUri(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}${oauthCallbackPath}`;
}

/** The app's link that starts a mailbox's consent flow (app/oauth/start/route.ts): the sign-in button and "Sign in again". */
export function signInHref(mailboxId: string): string {
  return `/oauth/start?mailboxId=${encodeURIComponent(mailboxId)}`;
}
