import { and, eq, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { AppError } from "../errors";
import { actSyncRefusal } from "../settings/act-sync-refusal";
import type { DeliveryMethod } from "./mailbox-view";
import type { ServerType } from "../profiles/fill-profile-defaults";
import { msg, type Message } from "../i18n/message";

export type MailboxSettings = { profileId: string | null; incomingDelivery: DeliveryMethod; outgoingDelivery: DeliveryMethod; actDelivery: DeliveryMethod };

/**
 * The rules of a mailbox's profile and delivery methods that need the database:
 * the profile exists; server-side sync needs a profile; appointments, contacts and
 * tasks cannot use server-side sync with the (POP3/SMTP or Gmail) profile. Returns
 * the field errors, keyed by form field; `about` names whose settings they are
 * (e.g. wraps each message as "<mailbox>: …").
 */
export async function mailboxSettingsErrors(db: DbOrTx, s: MailboxSettings, about: (m: Message) => Message = (m) => m): Promise<Record<string, Message[]>> {
  const errors: Record<string, Message[]> = {};
  const fail = (field: string, message: Message) => (errors[field] ??= []).push(about(message));
  let profile: { name: string; serverType: ServerType } | undefined;
  if (s.profileId) {
    [profile] = await db.select({ name: profiles.name, serverType: profiles.serverType }).from(profiles).where(eq(profiles.id, s.profileId));
    if (!profile) fail("profileId", msg("error.mailbox.profileMissing"));
  }
  if (!s.profileId) {
    if (s.incomingDelivery === "server_side_sync") fail("incomingDelivery", msg("error.mailbox.syncNeedsProfile"));
    if (s.outgoingDelivery === "server_side_sync") fail("outgoingDelivery", msg("error.mailbox.syncNeedsProfile"));
  }
  if (s.actDelivery === "server_side_sync") fail("actDelivery", actSyncRefusal(profile?.serverType ?? null, profile?.name)!);
  return errors;
}

/** Throws AppError("invalid") when `errors` has any field. */
export function throwIfErrors(errors: Record<string, Message[]>): void {
  if (Object.keys(errors).length) throw new AppError("invalid", msg("common.fixFields"), { fieldErrors: errors });
}

/** Refuses an address another mailbox already uses (case-insensitive), pointing at the field. */
export async function assertAddressFree(db: DbOrTx, emailAddress: string, exceptId?: string): Promise<void> {
  const [other] = await db
    .select({ name: mailboxes.name })
    .from(mailboxes)
    .where(and(eq(sql`lower(${mailboxes.emailAddress})`, emailAddress.toLowerCase()), exceptId ? ne(mailboxes.id, exceptId) : undefined))
    .limit(1);
  if (other) {
    throw new AppError("invalid", msg("common.fixFields"), { fieldErrors: { emailAddress: [msg("error.mailbox.addressTaken", { mailbox: other.name })] } });
  }
}
