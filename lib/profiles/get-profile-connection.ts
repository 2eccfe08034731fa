import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { profiles, type Profile } from "../../db/schema/profiles";
import { openSecret } from "../crypto/open-secret";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import type { IncomingProtocol, ServerType } from "./fill-profile-defaults";
import { isUuid } from "../is-uuid";
import type { AuthMethod } from "./profile-input";
import { sealContext } from "../crypto/seal-context";
import type { SealContext } from "../crypto/sealed-format";

/** A user name and the opened password. Never log it or return it to a browser. */
export type MailCredentials = { user: string; pass: string };

/** What a connector needs to reach a profile's servers. */
export type ProfileConnection = {
  profileId: string;
  name: string;
  serverType: ServerType;
  ownerId: string | null;
  /**
   * "mailbox": credentials are null here; use the mailbox's own user name and password
   * (or, with OAuth, its own sign-in). A direction whose authentication protocol is
   * OAuth 2.0 (xoauth2) has null credentials too: the token comes from lib/credentials.
   */
  credentialMode: "mailbox" | "profile";
  incoming: { protocol: IncomingProtocol; host: string; port: number; tls: boolean; authMethod: AuthMethod; credentials: MailCredentials | null };
  /** tls false: the session starts plain and is upgraded with STARTTLS (port 587). */
  outgoing: { host: string; port: number; tls: boolean; authMethod: AuthMethod; credentials: MailCredentials | null };
  /** The OAuth app's provider (google, microsoft, generic), or null without OAuth. */
  oauthProvider: string | null;
  processEmailFrom: Date;
  minPollingIntervalMinutes: number;
  maxConnections: number;
  appendSentToImap: boolean;
  /** Sign in without STARTTLS when a server without implicit TLS does not offer it (admins' opt-in). */
  allowUnencrypted: boolean;
  /** What sync does on the server once a message is stored (lib/sync/after-fetch.ts). */
  afterFetch: { action: "keep" | "mark_read" | "move" | "delete"; folder: string | null };
};

/**
 * The unsealed settings of a profile, for the worker and for "test & enable".
 * Server-side only and without an actor on purpose: the worker acts for no person,
 * and test & enable has already checked mailbox:test before asking. What this
 * returns must never reach a page, an action result or a log.
 * Throws AppError "not_found", or "invalid" when the stored profile cannot be used.
 */
export async function getProfileConnection(db: Db, input: { id: string }): Promise<ProfileConnection> {
  const [p] = isUuid(input.id) ? await db.select().from(profiles).where(eq(profiles.id, input.id)) : [];
  if (!p) throw new AppError("not_found", msg("error.mailbox.profileGone"));
  return profileConnectionOf(p);
}

/** As getProfileConnection, for a profile row already loaded (the sync claim returns it). */
export function profileConnectionOf(p: Profile): ProfileConnection {
  if (p.credentialMode === "windows" || p.credentialMode === "anonymous") {
    throw new AppError(
      "invalid",
      msg("error.profile.unusableMode", { profile: p.name, modeKey: `profiles.mode.${p.credentialMode}` }),
    );
  }
  let incomingCredentials: MailCredentials | null = null;
  let outgoingCredentials: MailCredentials | null = null;
  if (p.credentialMode === "profile") {
    // OAuth directions need no password: app-only tokens are got per mailbox (lib/credentials).
    if (p.incomingAuthMethod !== "xoauth2") incomingCredentials = credentials(p.name, p.userName, p.passwordSealed, sealContext(profiles.passwordSealed, p.id));
    if (p.outgoingAuthMethod !== "xoauth2") {
      outgoingCredentials = p.useSameForOutgoing ? (incomingCredentials ?? credentials(p.name, p.userName, p.passwordSealed, sealContext(profiles.passwordSealed, p.id))) : credentials(p.name, p.outgoingUserName, p.outgoingPasswordSealed, sealContext(profiles.outgoingPasswordSealed, p.id));
    }
  }
  return {
    profileId: p.id,
    name: p.name,
    serverType: p.serverType,
    ownerId: p.ownerId,
    credentialMode: p.credentialMode,
    oauthProvider: p.oauthProvider,
    incoming: { protocol: p.incomingProtocol, host: p.incomingHost, port: p.incomingPort, tls: p.incomingTls, authMethod: p.incomingAuthMethod, credentials: incomingCredentials },
    outgoing: { host: p.outgoingHost, port: p.outgoingPort, tls: p.outgoingTls, authMethod: p.outgoingAuthMethod, credentials: outgoingCredentials },
    processEmailFrom: p.processEmailFrom,
    minPollingIntervalMinutes: p.minPollingIntervalMinutes,
    maxConnections: p.maxConnections,
    appendSentToImap: p.appendSentToImap,
    allowUnencrypted: p.allowUnencrypted,
    afterFetch: { action: p.afterFetchAction, folder: p.afterFetchFolder },
  };
}

function credentials(profileName: string, user: string | null, sealed: string | null, context: SealContext): MailCredentials {
  if (!user || !sealed) {
    throw new AppError("invalid", msg("error.profile.noCredentials", { profile: profileName }));
  }
  // A SecretOpenError (missing key, damaged data) is an operator problem: it is logged, not shown.
  return { user, pass: openSecret(sealed, context) };
}
