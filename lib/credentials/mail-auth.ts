/**
 * What a connector needs to sign in: a user name with a password, or with an OAuth
 * access token (SASL XOAUTH2 / OAUTHBEARER). Used for one session only; never log it.
 */
export type MailAuth = { user: string; pass: string } | { user: string; accessToken: string };

/** Where one direction of a mailbox gets its sign-in from, before anything is fetched. */
export type CredentialSource =
  /** A stored password (already opened). */
  | { kind: "password"; user: string; pass: string }
  /**
   * OAuth 2.0: `delegated` — the mailbox's own sign-in (credentials specified by the
   * user or queue); `app` — the profile's app-only credential acting as `address`
   * (credentials specified in the profile).
   */
  | { kind: "oauth"; grant: "delegated" | "app"; profileId: string; mailboxId: string; address: string };

/** True when `auth` carries an access token (the session signs in with OAuth). */
export function isOAuth(auth: MailAuth): auth is { user: string; accessToken: string } {
  return "accessToken" in auth;
}

/** The secret in `auth` (password or token), to scrub from anything a server echoes back. */
export function secretOf(auth: MailAuth): string {
  return isOAuth(auth) ? auth.accessToken : auth.pass;
}
