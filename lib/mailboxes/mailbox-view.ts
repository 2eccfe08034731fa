import { and, eq, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { users } from "../../db/schema/users";
import { can, type Actor } from "../auth/actor";
import { isUuid } from "../is-uuid";

export type DeliveryMethod = "server_side_sync" | "email_router" | "none";
export type TestStatus = "not_run" | "success" | "failure" | "not_supported" | "retrying";

/**
 * A mailbox as pages and actions may see it: every field, with the password only
 * as "set" / "not set". The sealed column is never selected, so no view carries a
 * secret to the browser.
 */
export type MailboxView = {
  id: string;
  kind: "user" | "queue";
  name: string;
  emailAddress: string;
  userId: string | null;
  ownerId: string | null;
  ownerName: string | null;
  profileId: string | null;
  profileName: string | null;
  /** Where this mailbox's credentials come from; null without a profile. */
  profileCredentialMode: "mailbox" | "profile" | "windows" | "anonymous" | null;
  /** The profile lets passwords cross unencrypted connections: the page warns. */
  profileAllowsUnencrypted: boolean | null;
  /** The profile's incoming protocol; null without a profile. Folders besides INBOX are for IMAP only. */
  profileIncomingProtocol: "imap" | "pop3" | null;
  /** IMAP folders synced besides INBOX. */
  imapFolders: string[];
  incomingDelivery: DeliveryMethod;
  outgoingDelivery: DeliveryMethod;
  actDelivery: DeliveryMethod;
  userName: string | null;
  passwordSet: boolean;
  approvedAt: Date | null;
  approvedById: string | null;
  approvedByName: string | null;
  incomingStatus: TestStatus;
  outgoingStatus: TestStatus;
  actStatus: TestStatus;
  incomingEnabled: boolean;
  outgoingEnabled: boolean;
  lastTestedAt: Date | null;
  lastSyncAt: Date | null;
  nextSyncAt: Date | null;
  lastError: string | null;
  lastErrorCode: string | null;
  /** The last error for people (key + parameters); lastError is its English copy, or an older row's text. */
  lastErrorKey: string | null;
  lastErrorParams: Record<string, string | number> | null;
  /** When the email-router ingest token was created; null: none (the token itself is never readable). */
  ingestTokenCreatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

/** The owner and approver joins of selectMailboxViews, for sorting by their names. */
export const owners = alias(users, "owner");
export const approvers = alias(users, "approver");

export const mailboxViewColumns = {
  id: mailboxes.id,
  kind: mailboxes.kind,
  name: mailboxes.name,
  emailAddress: mailboxes.emailAddress,
  userId: mailboxes.userId,
  ownerId: mailboxes.ownerId,
  ownerName: owners.name,
  profileId: mailboxes.profileId,
  profileName: profiles.name,
  profileCredentialMode: profiles.credentialMode,
  profileAllowsUnencrypted: profiles.allowUnencrypted,
  profileIncomingProtocol: profiles.incomingProtocol,
  imapFolders: mailboxes.imapFolders,
  incomingDelivery: mailboxes.incomingDelivery,
  outgoingDelivery: mailboxes.outgoingDelivery,
  actDelivery: mailboxes.actDelivery,
  userName: mailboxes.userName,
  passwordSet: sql<boolean>`(${mailboxes.passwordSealed} is not null)`,
  approvedAt: mailboxes.approvedAt,
  approvedById: mailboxes.approvedById,
  approvedByName: approvers.name,
  incomingStatus: mailboxes.incomingStatus,
  outgoingStatus: mailboxes.outgoingStatus,
  actStatus: mailboxes.actStatus,
  incomingEnabled: mailboxes.incomingEnabled,
  outgoingEnabled: mailboxes.outgoingEnabled,
  lastTestedAt: mailboxes.lastTestedAt,
  lastSyncAt: mailboxes.lastSyncAt,
  nextSyncAt: mailboxes.nextSyncAt,
  lastError: mailboxes.lastError,
  lastErrorCode: mailboxes.lastErrorCode,
  lastErrorKey: mailboxes.lastErrorKey,
  lastErrorParams: mailboxes.lastErrorParams,
  ingestTokenCreatedAt: mailboxes.ingestTokenCreatedAt,
  createdAt: mailboxes.createdAt,
  updatedAt: mailboxes.updatedAt,
};

/** A query for secret-free mailbox views, with owner, approver and profile names (add where / order / limit). */
export function selectMailboxViews(db: DbOrTx) {
  return db
    .select(mailboxViewColumns)
    .from(mailboxes)
    .leftJoin(owners, eq(owners.id, mailboxes.ownerId))
    .leftJoin(approvers, eq(approvers.id, mailboxes.approvedById))
    .leftJoin(profiles, eq(profiles.id, mailboxes.profileId))
    .$dynamic();
}

/**
 * The rows `actor` may read, as a query condition: everything with mailbox:read;
 * otherwise (members) their own mailbox and the queues they own. Undefined = no limit.
 */
export function visibleMailboxCondition(actor: Actor): SQL | undefined {
  if (can(actor, "mailbox:read")) return undefined;
  return or(eq(mailboxes.userId, actor.id), eq(mailboxes.ownerId, actor.id));
}

/** One mailbox `actor` may read, or null (unknown id, or not theirs). Callers have checked mailbox:read-own. */
export async function findVisibleMailbox(db: DbOrTx, actor: Actor, id: string): Promise<MailboxView | null> {
  if (!isUuid(id)) return null;
  const [row] = await selectMailboxViews(db).where(and(eq(mailboxes.id, id), visibleMailboxCondition(actor)));
  return row ?? null;
}

/** Whether `actor` is the mailbox's user or (for a queue) its owner. */
export function isMailboxOwner(actor: Actor, m: Pick<MailboxView, "userId" | "ownerId">): boolean {
  return m.userId === actor.id || m.ownerId === actor.id;
}
