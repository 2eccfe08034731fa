import { count, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { postgresErrorOf } from "../postgres-error";

/**
 * Deletes a profile (profile:write). Refused with AppError "conflict" naming how
 * many mailboxes use it: they would be left without a way to reach their server.
 * The profile's alerts and jobs go with it.
 */
export async function deleteProfile(db: Db, actor: Actor | null, input: { id: string }): Promise<void> {
  assertCan(actor, "profile:write");
  if (!isUuid(input.id)) throw notFound();
  try {
    await db.transaction(async (tx) => {
      // The row lock makes a mailbox attached meanwhile wait, then fail its foreign key.
      const [profile] = await tx.select({ id: profiles.id }).from(profiles).where(eq(profiles.id, input.id)).for("update");
      if (!profile) throw notFound();
      const [{ n }] = await tx.select({ n: count() }).from(mailboxes).where(eq(mailboxes.profileId, input.id));
      if (n > 0) throw inUse(n);
      await tx.delete(profiles).where(eq(profiles.id, input.id));
    });
  } catch (err) {
    // A mailbox attached between the count and the delete (mailboxes.profile_id is ON DELETE RESTRICT).
    if (postgresErrorOf(err)?.code === "23503") throw inUse(null);
    throw err;
  }
}

const notFound = () => new AppError("not_found", msg("error.profile.goneAlready"));

function inUse(n: number | null): AppError {
  return new AppError("conflict", n === null ? msg("error.profile.inUse") : n === 1 ? msg("error.profile.inUseOne") : msg("error.profile.inUseMany", { count: n }));
}
