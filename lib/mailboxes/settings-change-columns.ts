import type { Mailbox, NewMailbox } from "../../db/schema/mailboxes";
import type { MailboxSettings } from "./check-mailbox-settings";

/**
 * The columns to write when a mailbox's profile or delivery methods change. A
 * passed test says nothing about another profile, so a new profile resets both
 * directions to "not run" and disabled until the next test & enable; a direction
 * taken off server-side sync is disabled (the worker leaves it alone). Pure.
 */
export function settingsChangeColumns(
  existing: Pick<Mailbox, "profileId" | "incomingDelivery" | "outgoingDelivery" | "actDelivery">,
  next: MailboxSettings,
): Partial<NewMailbox> {
  const set: Partial<NewMailbox> = { ...next };
  const profileChanged = existing.profileId !== next.profileId;
  if (profileChanged || next.incomingDelivery !== "server_side_sync") {
    Object.assign(set, { incomingStatus: "not_run", incomingEnabled: false, nextSyncAt: null });
  }
  if (profileChanged || next.outgoingDelivery !== "server_side_sync") {
    Object.assign(set, { outgoingStatus: "not_run", outgoingEnabled: false });
  }
  if (profileChanged) Object.assign(set, { actStatus: "not_run", lastError: null, lastErrorCode: null, consecutiveFailures: 0, firstFailureAt: null });
  return set;
}
