import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { users } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { loadOrgSettings } from "../settings/load-org-settings";
import { parseInput } from "../validation";
import { assertAddressFree } from "./check-mailbox-settings";
import { mailboxFieldSchemas } from "./mailbox-input";
import { msg } from "../i18n/message";

const schema = z.object({ name: mailboxFieldSchemas.name, emailAddress: mailboxFieldSchemas.emailAddress, ownerId: mailboxFieldSchemas.ownerId });

/**
 * Creates a queue: a shared mailbox such as support@ with an owner user, who
 * receives its alerts (queue:create, admins). Like a user's mailbox, it gets the
 * default profile and the org's delivery methods when a default profile exists.
 * Returns the new mailbox's id.
 */
export async function createQueue(db: Db, actor: Actor | null, input: { name: string; emailAddress: string; ownerId: string }): Promise<{ id: string }> {
  assertCan(actor, "queue:create");
  const v = parseInput(schema, input);
  return db.transaction(async (tx) => {
    const [owner] = await tx.select({ id: users.id }).from(users).where(eq(users.id, v.ownerId));
    if (!owner) throw new AppError("invalid", msg("common.fixFields"), { fieldErrors: { ownerId: [msg("error.mailbox.ownerGone")] } });
    await assertAddressFree(tx, v.emailAddress);
    const settings = await loadOrgSettings(tx);
    const withDefault = !!settings.defaultProfileId;
    const [row] = await tx
      .insert(mailboxes)
      .values({
        kind: "queue",
        name: v.name,
        emailAddress: v.emailAddress,
        ownerId: v.ownerId,
        profileId: settings.defaultProfileId,
        incomingDelivery: withDefault ? settings.incomingDelivery : "none",
        outgoingDelivery: withDefault ? settings.outgoingDelivery : "none",
        actDelivery: withDefault ? settings.actDelivery : "none",
      })
      .returning({ id: mailboxes.id });
    return row;
  });
}
