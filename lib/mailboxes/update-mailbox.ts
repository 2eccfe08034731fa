import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { mailboxes, type NewMailbox } from "../../db/schema/mailboxes";
import { users } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { parseInput } from "../validation";
import { assertAddressFree, mailboxSettingsErrors, throwIfErrors } from "./check-mailbox-settings";
import { mailboxFieldSchemas } from "./mailbox-input";
import { settingsChangeColumns } from "./settings-change-columns";

const schema = z.object({
  name: mailboxFieldSchemas.name,
  emailAddress: mailboxFieldSchemas.emailAddress,
  profileId: mailboxFieldSchemas.profileId,
  incomingDelivery: mailboxFieldSchemas.incomingDelivery,
  outgoingDelivery: mailboxFieldSchemas.outgoingDelivery,
  actDelivery: mailboxFieldSchemas.actDelivery,
});

export type UpdateMailboxInput = {
  id: string;
  name: string;
  emailAddress: string;
  /** Queues only: the user who owns it. Ignored for a user's mailbox (its owner is the user). */
  ownerId?: string;
  profileId: string;
  incomingDelivery: string;
  outgoingDelivery: string;
  actDelivery: string;
};

/**
 * Saves one edited mailbox (mailbox:write): name, address, the queue's owner,
 * profile and incoming / outgoing / ACT delivery. Changing the address withdraws
 * email approval (SPEC §3); changing the profile or delivery resets what the last
 * test enabled (see settingsChangeColumns).
 */
export async function updateMailbox(db: Db, actor: Actor | null, input: UpdateMailboxInput): Promise<void> {
  assertCan(actor, "mailbox:write");
  if (!isUuid(input.id)) throw notFound();
  const v = parseInput(schema, input);
  await db.transaction(async (tx) => {
    const [existing] = await tx.select().from(mailboxes).where(eq(mailboxes.id, input.id)).for("update");
    if (!existing) throw notFound();
    const errors = await mailboxSettingsErrors(tx, v);
    let ownerId = existing.ownerId;
    if (existing.kind === "queue") {
      const owner = parseInput(z.object({ ownerId: mailboxFieldSchemas.ownerId }), { ownerId: input.ownerId }).ownerId;
      const [u] = await tx.select({ id: users.id }).from(users).where(eq(users.id, owner));
      if (!u) (errors.ownerId ??= []).push(msg("error.mailbox.ownerGone"));
      ownerId = owner;
    }
    throwIfErrors(errors);
    const addressChanged = v.emailAddress !== existing.emailAddress.toLowerCase();
    if (addressChanged) await assertAddressFree(tx, v.emailAddress, existing.id);
    const set: Partial<NewMailbox> = {
      ...settingsChangeColumns(existing, v),
      name: v.name,
      emailAddress: addressChanged ? v.emailAddress : existing.emailAddress,
      ownerId,
      updatedAt: new Date(),
    };
    if (addressChanged) Object.assign(set, { approvedAt: null, approvedById: null });
    await tx.update(mailboxes).set(set).where(eq(mailboxes.id, existing.id));
  });
}

const notFound = () => new AppError("not_found", msg("error.mailbox.gone"));
