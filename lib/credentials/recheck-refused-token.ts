import type { Db } from "../../db/client";
import type { ClassifiedError, MailErrorContext } from "../mail/errors";
import { OAuthError } from "../oauth/oauth-error";
import { classifyOAuthError } from "./classify-oauth-error";
import type { CredentialSource } from "./mail-auth";
import { resolveMailAuth } from "./resolve-mail-auth";

/**
 * When a mail server refuses an access token we still thought valid, asks the
 * provider for a new one: a revoked sign-in (consent withdrawn, password reset,
 * Google's immediate revocation) then shows as what it is — "sign in again"
 * (invalid_grant) — rather than as a mail-server refusal. If the provider does
 * give a new token, the refusal stands (a fresh token refused is the server's
 * doing) and the next attempt uses the new token. Other errors pass unchanged.
 */
export async function recheckRefusedToken(db: Db, source: CredentialSource, error: ClassifiedError, ctx: MailErrorContext): Promise<ClassifiedError> {
  if (error.code !== "oauth_refused_by_server" || source.kind !== "oauth") return error;
  try {
    await resolveMailAuth(db, source, { force: true });
    return error;
  } catch (err) {
    return err instanceof OAuthError ? classifyOAuthError(err, ctx) : error;
  }
}
