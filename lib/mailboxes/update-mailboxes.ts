import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg, nested, type Message } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { parseInput } from "../validation";
import { mailboxSettingsErrors, throwIfErrors, type MailboxSettings } from "./check-mailbox-settings";
import { deliveryMethods, KEEP } from "./mailbox-input";
import { settingsChangeColumns } from "./settings-change-columns";

const keepOr = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess((v) => (v == null ? KEEP : v), z.union([z.literal(KEEP), z.enum(values)], { error: message }));

const schema = z.object({
  // KEEP, "none" (no profile) or a profile id.
  profileId: z.preprocess((v) => (v == null ? KEEP : v), z.string().refine((v) => v === KEEP || v === "none" || isUuid(v), "validation.mailbox.profile")),
  incomingDelivery: keepOr(deliveryMethods, "validation.deliveryOrKeep"),
  outgoingDelivery: keepOr(deliveryMethods, "validation.deliveryOrKeep"),
  actDelivery: keepOr(deliveryMethods, "validation.deliveryOrKeep"),
});

export type UpdateMailboxesInput = {
  ids: string[];
  /** "" keeps each mailbox's value; profileId "none" removes the profile. */
  profileId?: string;
  incomingDelivery?: string;
  outgoingDelivery?: string;
  actDelivery?: string;
};

/**
 * The multi-record edit (mailbox:write): sets the chosen profile and delivery
 * methods on every selected mailbox, keeping each one's own value where the form
 * says "keep". All or nothing: when the result would break a rule for any mailbox
 * (e.g. ACT by server-side sync), nothing is saved and the error names it.
 * Returns how many mailboxes were updated.
 */
export async function updateMailboxes(db: Db, actor: Actor | null, input: UpdateMailboxesInput): Promise<number> {
  assertCan(actor, "mailbox:write");
  const ids = [...new Set(input.ids.filter(isUuid))];
  if (ids.length === 0) throw new AppError("invalid", msg("error.mailbox.selectOne"));
  const v = parseInput(schema, input);
  if (v.profileId === KEEP && v.incomingDelivery === KEEP && v.outgoingDelivery === KEEP && v.actDelivery === KEEP) {
    throw new AppError("invalid", msg("error.mailbox.nothingToChange"));
  }
  return db.transaction(async (tx) => {
    const rows = await tx.select().from(mailboxes).where(inArray(mailboxes.id, ids)).orderBy(mailboxes.name).for("update");
    if (rows.length !== ids.length) throw new AppError("not_found", msg("error.mailbox.someGone"));
    const errors: Record<string, Message[]> = {};
    const updates: { id: string; set: ReturnType<typeof settingsChangeColumns> }[] = [];
    for (const m of rows) {
      const next: MailboxSettings = {
        profileId: v.profileId === KEEP ? m.profileId : v.profileId === "none" ? null : v.profileId,
        incomingDelivery: v.incomingDelivery === KEEP ? m.incomingDelivery : v.incomingDelivery,
        outgoingDelivery: v.outgoingDelivery === KEEP ? m.outgoingDelivery : v.outgoingDelivery,
        actDelivery: v.actDelivery === KEEP ? m.actDelivery : v.actDelivery,
      };
      for (const [field, messages] of Object.entries(await mailboxSettingsErrors(tx, next, (e) => msg("error.forMailbox", { mailbox: m.name, ...nested("cause", e) })))) {
        // One message per field is enough when many mailboxes break the same rule.
        if (!errors[field]) errors[field] = messages;
      }
      updates.push({ id: m.id, set: { ...settingsChangeColumns(m, next), updatedAt: new Date() } });
    }
    throwIfErrors(errors);
    for (const u of updates) await tx.update(mailboxes).set(u.set).where(inArray(mailboxes.id, [u.id]));
    return updates.length;
  });
}
