import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { isUuid } from "../is-uuid";
import { loadOrgSettings } from "../settings/load-org-settings";

export type SendableMailbox = {
  id: string;
  name: string;
  emailAddress: string;
  ownerId: string | null;
  /** Why this mailbox cannot send now (and what to do), or null when it can. */
  refusal: string | null;
};

/**
 * The mailbox `actor` wants to send from, if they may use it: its owner (the
 * user of a personal mailbox, the owner of a queue) or anyone with mailbox:write.
 * Others get "forbidden" — the check is here, on the server, whatever a page shows.
 * `refusal` says why it cannot send at the moment: outgoing delivery not
 * server-side sync, no profile, waiting for approval, or outgoing not enabled.
 */
export async function findSendableMailbox(db: DbOrTx, actor: Actor | null, mailboxId: string): Promise<SendableMailbox> {
  assertCan(actor, "mailbox:read-own");
  const [m] = isUuid(mailboxId) ? await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId)) : [];
  const mayUse = !!m && (can(actor, "mailbox:write") || m.userId === actor.id || m.ownerId === actor.id);
  if (!m || !mayUse) {
    // The same answer for a mailbox that does not exist and one that is not theirs.
    throw new AppError("forbidden", "You can send only from your own mailbox and the queues you own.");
  }
  const settings = await loadOrgSettings(db);
  return { id: m.id, name: m.name, emailAddress: m.emailAddress, ownerId: m.ownerId, refusal: refusalOf(m, settings.processOnlyApproved) };
}

function refusalOf(
  m: { outgoingDelivery: string; outgoingEnabled: boolean; outgoingStatus: string; profileId: string | null; approvedAt: Date | null },
  processOnlyApproved: boolean,
): string | null {
  if (m.outgoingDelivery === "email_router") {
    return "This mailbox's outgoing email is delivered by the email router, not by this app — send from your usual mail program, or ask an administrator to set outgoing email to server-side synchronization.";
  }
  if (m.outgoingDelivery !== "server_side_sync") {
    return "Outgoing email is turned off for this mailbox (delivery method: none) — ask an administrator to set outgoing email to server-side synchronization.";
  }
  if (!m.profileId) return "This mailbox has no email server profile — ask an administrator to choose one on the mailbox page.";
  if (processOnlyApproved && !m.approvedAt) return "This mailbox's email address is not approved yet — an administrator must approve it before mail can be sent.";
  if (!m.outgoingEnabled) {
    return m.outgoingStatus === "failure"
      ? "Outgoing email for this mailbox was disabled after a failure (see the mailbox's alerts) — fix the setting, then run Test & enable on the mailbox page."
      : "Outgoing email for this mailbox has not been enabled yet — run Test & enable on the mailbox page.";
  }
  return null;
}
