import { randomUUID } from "node:crypto";
import type { Db } from "../../db/client";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { loadProfilePolicy } from "./load-profile-policy";
import { profileColumns, rethrowProfileWriteError } from "./profile-columns";
import { parseProfileInput } from "./profile-input";
import { findProfileView, type ProfileView } from "./profile-view";
import { writeDefaultProfile } from "./write-default-profile";

export type CreateProfileInput = {
  /** The submitted form (FormData or its fields as an object), named as in profileFieldSchemas. */
  values: FormData | Record<string, unknown>;
  /** False when the request came over plain HTTP (not HTTPS, not localhost): typed credentials are then refused. */
  secureChannel: boolean;
};

/**
 * Creates an email server profile (profile:write). Validates every SPEC §1 rule,
 * fills Gmail's locations and blank ports, seals the passwords, and when "default
 * for new mailboxes" is ticked makes it the only default. Returns the secret-free view.
 * Throws AppError "invalid" with field errors (including a name already taken).
 */
export async function createProfile(db: Db, actor: Actor | null, input: CreateProfileInput): Promise<ProfileView> {
  assertCan(actor, "profile:write");
  const p = parseProfileInput(input.values, { secureChannel: input.secureChannel, policy: loadProfilePolicy() });
  try {
    return await db.transaction(async (tx) => {
      // The id is chosen here: the sealed passwords are bound to it.
      const id = randomUUID();
      const [row] = await tx.insert(profiles).values({ id, ...profileColumns(p, id) }).returning({ id: profiles.id });
      if (p.isDefault) await writeDefaultProfile(tx, row.id);
      return (await findProfileView(tx, row.id))!;
    });
  } catch (err) {
    rethrowProfileWriteError(err, p.name);
  }
}
