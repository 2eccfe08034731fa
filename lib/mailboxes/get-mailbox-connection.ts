import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes, type Mailbox } from "../../db/schema/mailboxes";
import { openSecret } from "../crypto/open-secret";
import { AppError } from "../errors";
import { extraCa } from "../mail/extra-ca";
import { getProfileConnection, type MailCredentials, type ProfileConnection } from "../profiles/get-profile-connection";

type Endpoint = ProfileConnection["incoming"];

/** Everything a connector needs for one mailbox: its profile's servers with the right credentials. */
export type MailboxConnection = {
  mailbox: Pick<Mailbox, "id" | "name" | "emailAddress" | "ownerId" | "kind">;
  profile: ProfileConnection;
  credentialsFrom: "mailbox" | "profile";
  incoming: Omit<Endpoint, "credentials"> & { credentials: MailCredentials };
  outgoing: Omit<ProfileConnection["outgoing"], "credentials"> & { credentials: MailCredentials };
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
  if (!m) throw new AppError("not_found", "This mailbox no longer exists.");
  return mailboxConnectionOf(db, m);
}

/** As getMailboxConnection, for a mailbox row already loaded. */
export async function mailboxConnectionOf(db: Db, m: Mailbox): Promise<MailboxConnection> {
  if (!m.profileId) throw new AppError("invalid", `The mailbox "${m.name}" has no server profile. Choose one on the mailbox page, or apply the default email settings.`);
  const profile = await getProfileConnection(db, { id: m.profileId });
  let own: MailCredentials | null = null;
  if (profile.credentialMode === "mailbox") {
    if (!m.passwordSealed) {
      throw new AppError("invalid", `The mailbox "${m.name}" has no password, and its profile takes credentials from each mailbox. Enter the mailbox's user name and password.`);
    }
    own = { user: m.userName || m.emailAddress, pass: openSecret(m.passwordSealed) };
  }
  const inCred = own ?? profile.incoming.credentials!;
  const outCred = own ?? profile.outgoing.credentials!;
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
