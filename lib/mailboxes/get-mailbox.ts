import type { Db } from "../../db/client";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { loadOrgSettings } from "../settings/load-org-settings";
import { findVisibleMailbox, isMailboxOwner, type MailboxView } from "./mailbox-view";

export type MailboxDetail = MailboxView & {
  /** Org settings process only approved mailboxes and this one is not approved: it is neither synced nor tested. */
  waitingForApproval: boolean;
  /** What the actor may do here (the actions check again on the server). */
  allowed: { write: boolean; approve: boolean; test: boolean; setCredentials: boolean };
};

/**
 * One mailbox for its page (mailbox:read-own; members only their own mailbox and
 * the queues they own), with whether it waits for approval and what the actor may do.
 */
export async function getMailbox(db: Db, actor: Actor | null, input: { id: string }): Promise<MailboxDetail> {
  assertCan(actor, "mailbox:read-own");
  const m = await findVisibleMailbox(db, actor, input.id);
  if (!m) throw new AppError("not_found", msg("error.mailbox.notYours"));
  const settings = await loadOrgSettings(db);
  const write = can(actor, "mailbox:write");
  return {
    ...m,
    waitingForApproval: settings.processOnlyApproved && !m.approvedAt,
    allowed: {
      write,
      approve: can(actor, "mailbox:approve"),
      test: can(actor, "mailbox:test"),
      setCredentials: write || (isMailboxOwner(actor, m) && m.profileCredentialMode === "mailbox"),
    },
  };
}
