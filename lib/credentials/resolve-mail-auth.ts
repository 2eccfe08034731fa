import type { Db } from "../../db/client";
import { assertSafeCredentials } from "../mail/assert-safe-credentials";
import { getAccessToken } from "./get-access-token";
import type { CredentialSource, MailAuth } from "./mail-auth";

/**
 * The credential-provider seam: turns where a direction signs in from (a stored
 * password, the mailbox's OAuth sign-in, or the profile's app-only credential)
 * into what a connector needs, right before connecting. Sync, send and test &
 * enable all come through here. OAuth never falls back to a password: without a
 * token this throws OAuthError("not_connected"). `force` gets a new access token
 * even if the stored one looks valid.
 */
export async function resolveMailAuth(db: Db, source: CredentialSource, opts: { force?: boolean } = {}): Promise<MailAuth> {
  if (source.kind === "password") {
    assertSafeCredentials(source.user, source.pass);
    return { user: source.user, pass: source.pass };
  }
  return { user: source.address, accessToken: await getAccessToken(db, source, opts) };
}
