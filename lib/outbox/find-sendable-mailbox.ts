import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg, type Message } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { loadOrgSettings } from "../settings/load-org-settings";

export type SendableMailbox = {
  id: string;
  name: string;
  emailAddress: string;
  ownerId: string | null;
  /** Why this mailbox cannot send now (and what to do), or null when it can. */
  refusal: Message | null;
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
    throw new AppError("forbidden", msg("error.outbox.notYourMailbox"));
  }
  const settings = await loadOrgSettings(db);
  return { id: m.id, name: m.name, emailAddress: m.emailAddress, ownerId: m.ownerId, refusal: refusalOf(m, settings.processOnlyApproved) };
}

function refusalOf(
  m: { outgoingDelivery: string; outgoingEnabled: boolean; outgoingStatus: string; profileId: string | null; approvedAt: Date | null },
  processOnlyApproved: boolean,
): Message | null {
  if (m.outgoingDelivery === "email_router") {
    return msg("error.outbox.viaRouter");
  }
  if (m.outgoingDelivery !== "server_side_sync") {
    return msg("error.outbox.deliveryNone");
  }
  if (!m.profileId) return msg("error.outbox.noProfile");
  if (processOnlyApproved && !m.approvedAt) return msg("error.outbox.notApproved");
  if (!m.outgoingEnabled) {
    return m.outgoingStatus === "failure" ? msg("error.outbox.disabledAfterFailure") : msg("error.outbox.notEnabled");
  }
  return null;
}
