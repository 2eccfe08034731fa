import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes, type Mailbox } from "../../db/schema/mailboxes";
import { openSecret } from "../crypto/open-secret";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { extraCa } from "../mail/extra-ca";
import type { CredentialSource } from "../credentials/mail-auth";
import { getProfileConnection, profileConnectionOf, type MailCredentials, type ProfileConnection } from "../profiles/get-profile-connection";
import type { Profile } from "../../db/schema/profiles";
import { sealContext } from "../crypto/seal-context";

type Endpoint = ProfileConnection["incoming"];

/** Everything a connector needs for one mailbox: its profile's servers with the right credentials. */
export type MailboxConnection = {
  mailbox: Pick<Mailbox, "id" | "name" | "emailAddress" | "ownerId" | "kind">;
  profile: ProfileConnection;
  credentialsFrom: "mailbox" | "profile";
  /** Where each direction signs in from; lib/credentials/resolve-mail-auth.ts turns it into a password or token right before connecting. */
  incoming: Omit<Endpoint, "credentials"> & { credentials: CredentialSource };
  outgoing: Omit<ProfileConnection["outgoing"], "credentials"> & { credentials: CredentialSource };
  /** Extra trusted CA (MAILROOM_EXTRA_CA_FILE), if any. */
  ca: Buffer | undefined;
  /**
   * The connection budget this mailbox draws on (SPEC §1 maximum concurrent
   * connections): shared by the whole profile when the profile holds the
   * credentials, the mailbox's own when it holds them.
   */
  slotKey: string;
};

/**
 * The effective settings of a mailbox: its profile's locations, ports and TLS,
 * with the profile's credentials or the mailbox's own (opened here). Server-side
 * only; callers have checked privileges (or are the worker). Throws AppError
 * ("invalid"/"not_found") with a message saying what to fix.
 */
export async function getMailboxConnection(db: Db, mailboxId: string): Promise<MailboxConnection> {
  const [m] = await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  if (!m) throw new AppError("not_found", msg("error.mailbox.gone"));
  return mailboxConnectionOf(db, m);
}

/** As getMailboxConnection, for a mailbox row already loaded (and its profile's row, when loaded with it). */
export async function mailboxConnectionOf(db: Db, m: Mailbox, profileRow?: Profile): Promise<MailboxConnection> {
  if (!m.profileId) throw new AppError("invalid", msg("error.mailbox.noProfile", { mailbox: m.name }));
  const profile = profileRow?.id === m.profileId ? profileConnectionOf(profileRow) : await getProfileConnection(db, { id: m.profileId });
  // OAuth 2.0 directions: the mailbox's own sign-in (credentials per mailbox) or the profile's app (credentials in the profile).
  const oauth = (): CredentialSource => ({
    kind: "oauth",
    grant: profile.credentialMode === "mailbox" ? "delegated" : "app",
    profileId: profile.profileId,
    mailboxId: m.id,
    address: m.emailAddress,
  });
  const usesPassword = profile.incoming.authMethod !== "xoauth2" || profile.outgoing.authMethod !== "xoauth2";
  let own: MailCredentials | null = null;
  if (profile.credentialMode === "mailbox" && usesPassword) {
    if (!m.passwordSealed) {
      throw new AppError("invalid", msg("error.mailbox.noPassword", { mailbox: m.name }));
    }
    own = { user: m.userName || m.emailAddress, pass: openSecret(m.passwordSealed, sealContext(mailboxes.passwordSealed, m.id)) };
  }
  const password = (c: MailCredentials | null): CredentialSource => ({ kind: "password", ...(own ?? c!) });
  const inCred = profile.incoming.authMethod === "xoauth2" ? oauth() : password(profile.incoming.credentials);
  const outCred = profile.outgoing.authMethod === "xoauth2" ? oauth() : password(profile.outgoing.credentials);
  return {
    mailbox: { id: m.id, name: m.name, emailAddress: m.emailAddress, ownerId: m.ownerId, kind: m.kind },
    profile,
    credentialsFrom: profile.credentialMode,
    incoming: { ...profile.incoming, credentials: inCred },
    outgoing: { ...profile.outgoing, credentials: outCred },
    ca: extraCa(),
    slotKey: profile.credentialMode === "profile" ? `profile:${profile.profileId}` : `mailbox:${m.id}`,
  };
}
