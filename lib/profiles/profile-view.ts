import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { users } from "../../db/schema/users";
import type { IncomingProtocol, ServerType } from "./fill-profile-defaults";
import type { OAuthCloud, OAuthProvider } from "../oauth/oauth-presets";
import type { AuthMethod } from "./profile-input";

/**
 * A profile as pages and actions may see it: every setting, but passwords only as
 * "set" / "not set". The sealed columns are never selected here, so no view of a
 * profile can carry a secret to the browser.
 */
export type ProfileView = {
  id: string;
  name: string;
  description: string;
  ownerId: string | null;
  ownerName: string | null;
  serverType: ServerType;
  incomingProtocol: IncomingProtocol;
  incomingHost: string;
  outgoingHost: string;
  credentialMode: "mailbox" | "profile" | "windows" | "anonymous";
  userName: string | null;
  passwordSet: boolean;
  useSameForOutgoing: boolean;
  outgoingUserName: string | null;
  outgoingPasswordSet: boolean;
  incomingPort: number;
  outgoingPort: number;
  incomingTls: boolean;
  outgoingTls: boolean;
  incomingAuthMethod: AuthMethod;
  outgoingAuthMethod: AuthMethod;
  processEmailFrom: Date;
  minPollingIntervalMinutes: number;
  maxConnections: number;
  slowMailMinutes: number | null;
  isDefault: boolean;
  appendSentToImap: boolean;
  /** Signs in without STARTTLS when a server offers none: shown as a warning on the profile and its mailboxes. */
  allowUnencrypted: boolean;
  pushEnabled: boolean;
  afterFetchAction: "keep" | "mark_read" | "move" | "delete";
  afterFetchFolder: string | null;
  /** The OAuth 2.0 app (null provider = no OAuth); its secrets only as set / not set. */
  oauthProvider: OAuthProvider | null;
  oauthClientId: string | null;
  oauthClientSecretSet: boolean;
  oauthCertificateSet: boolean;
  oauthServiceAccountKeySet: boolean;
  oauthTenant: string | null;
  oauthCloud: OAuthCloud | null;
  oauthAuthorizationUrl: string | null;
  oauthTokenUrl: string | null;
  oauthRevocationUrl: string | null;
  oauthUserinfoUrl: string | null;
  oauthScopes: string | null;
  oauthSecretExpiresAt: Date | null;
  /** Mailboxes using this profile (a profile in use cannot be deleted). */
  mailboxCount: number;
  createdAt: Date;
  updatedAt: Date;
};


const columns = {
  id: profiles.id,
  name: profiles.name,
  description: profiles.description,
  ownerId: profiles.ownerId,
  ownerName: users.name,
  serverType: profiles.serverType,
  incomingProtocol: profiles.incomingProtocol,
  incomingHost: profiles.incomingHost,
  outgoingHost: profiles.outgoingHost,
  credentialMode: profiles.credentialMode,
  userName: profiles.userName,
  passwordSet: sql<boolean>`(${profiles.passwordSealed} is not null)`,
  useSameForOutgoing: profiles.useSameForOutgoing,
  outgoingUserName: profiles.outgoingUserName,
  outgoingPasswordSet: sql<boolean>`(${profiles.outgoingPasswordSealed} is not null)`,
  incomingPort: profiles.incomingPort,
  outgoingPort: profiles.outgoingPort,
  incomingTls: profiles.incomingTls,
  outgoingTls: profiles.outgoingTls,
  incomingAuthMethod: profiles.incomingAuthMethod,
  outgoingAuthMethod: profiles.outgoingAuthMethod,
  processEmailFrom: profiles.processEmailFrom,
  minPollingIntervalMinutes: profiles.minPollingIntervalMinutes,
  maxConnections: profiles.maxConnections,
  slowMailMinutes: profiles.slowMailMinutes,
  isDefault: profiles.isDefault,
  appendSentToImap: profiles.appendSentToImap,
  allowUnencrypted: profiles.allowUnencrypted,
  pushEnabled: profiles.pushEnabled,
  afterFetchAction: profiles.afterFetchAction,
  afterFetchFolder: profiles.afterFetchFolder,
  oauthProvider: sql<OAuthProvider | null>`${profiles.oauthProvider}`,
  oauthClientId: profiles.oauthClientId,
  oauthClientSecretSet: sql<boolean>`(${profiles.oauthClientSecretSealed} is not null)`,
  oauthCertificateSet: sql<boolean>`(${profiles.oauthClientCertificateSealed} is not null)`,
  oauthServiceAccountKeySet: sql<boolean>`(${profiles.oauthServiceAccountKeySealed} is not null)`,
  oauthTenant: profiles.oauthTenant,
  oauthCloud: sql<OAuthCloud | null>`${profiles.oauthCloud}`,
  oauthAuthorizationUrl: profiles.oauthAuthorizationUrl,
  oauthTokenUrl: profiles.oauthTokenUrl,
  oauthRevocationUrl: profiles.oauthRevocationUrl,
  oauthUserinfoUrl: profiles.oauthUserinfoUrl,
  oauthScopes: profiles.oauthScopes,
  oauthSecretExpiresAt: profiles.oauthSecretExpiresAt,
  mailboxCount: sql<number>`(select count(*)::int from ${mailboxes} where ${mailboxes.profileId} = ${profiles.id})`.mapWith(Number),
  createdAt: profiles.createdAt,
  updatedAt: profiles.updatedAt,
};

/** A query for secret-free profile views (add where / order by / limit). Callers check privileges first. */
export function selectProfileViews(db: DbOrTx) {
  return db.select(columns).from(profiles).leftJoin(users, eq(users.id, profiles.ownerId)).$dynamic();
}

/** The view of one profile, or null when there is none with that id. Callers check privileges first. */
export async function findProfileView(db: DbOrTx, id: string): Promise<ProfileView | null> {
  const [row] = await selectProfileViews(db).where(eq(profiles.id, id));
  return row ?? null;
}
