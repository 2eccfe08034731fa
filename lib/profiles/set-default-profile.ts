import type { Db } from "../../db/client";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { writeDefaultProfile } from "./write-default-profile";

/**
 * Makes a profile the default for new mailboxes (profile:write), clearing the
 * previous default in the same transaction; `id: null` leaves none. Existing
 * mailboxes keep their profile ("apply default email settings" changes them).
 */
export async function setDefaultProfile(db: Db, actor: Actor | null, input: { id: string | null }): Promise<void> {
  assertCan(actor, "profile:write");
  if (input.id !== null && !isUuid(input.id)) throw notFound();
  await db.transaction(async (tx) => {
    if (!(await writeDefaultProfile(tx, input.id))) throw notFound();
  });
}

const notFound = () => new AppError("not_found", msg("error.profile.goneNotDefault"));
