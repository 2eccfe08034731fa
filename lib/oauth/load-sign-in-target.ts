import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { profiles, type Profile } from "../../db/schema/profiles";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { findVisibleMailbox, isMailboxOwner, type MailboxView } from "../mailboxes/mailbox-view";
import { msg } from "../i18n/message";

/** A mailbox someone may sign in for, and its profile (with sealed columns: server-side only). */
export type SignInTarget = { mailbox: MailboxView; profile: Profile };

/**
 * The mailbox `actor` may connect or disconnect: visible to them, and they are its
 * owner or hold mailbox:write (SPEC §3). Throws AppError not_found / forbidden. The
 * profile is returned whatever its settings; callers check that it signs in with
 * OAuth 2.0 per mailbox (isDelegatedOAuth).
 */
export async function loadSignInTarget(db: DbOrTx, actor: Actor | null, mailboxId: string): Promise<SignInTarget & { profile: Profile | null }> {
  assertCan(actor, "mailbox:read-own");
  const mailbox = await findVisibleMailbox(db, actor, mailboxId);
  if (!mailbox) throw new AppError("not_found", msg("error.mailbox.notYours"));
  if (!can(actor, "mailbox:write") && !isMailboxOwner(actor, mailbox)) throw new AppError("forbidden", msg("error.forbidden"));
  const [profile] = mailbox.profileId ? await db.select().from(profiles).where(eq(profiles.id, mailbox.profileId)) : [];
  return { mailbox, profile: profile ?? null };
}

/** Whether mailboxes of this profile each sign in with OAuth 2.0 (delegated: credentials by user or queue). */
export function isDelegatedOAuth(p: Pick<Profile, "oauthProvider" | "credentialMode" | "incomingAuthMethod" | "outgoingAuthMethod"> | null): boolean {
  return !!p?.oauthProvider && p.credentialMode === "mailbox" && (p.incomingAuthMethod === "xoauth2" || p.outgoingAuthMethod === "xoauth2");
}
