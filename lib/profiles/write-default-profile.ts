import { and, eq, ne, sql } from "drizzle-orm";
import { profiles } from "../../db/schema/profiles";
import type { DbOrTx } from "../../db/client";

/**
 * Makes `id` the one default profile for new mailboxes (null: none), clearing any
 * other, inside the caller's transaction. Returns false when `id` names no profile.
 * No privilege check: callers (profile and org settings writes) check first.
 */
export async function writeDefaultProfile(tx: DbOrTx, id: string | null): Promise<boolean> {
  // Two admins choosing different defaults at once are serialised here, so the
  // second waits and then wins instead of failing on profiles_one_default.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('mailroom:default-profile'))`);
  await tx
    .update(profiles)
    .set({ isDefault: false })
    .where(id ? and(eq(profiles.isDefault, true), ne(profiles.id, id)) : eq(profiles.isDefault, true));
  if (!id) return true;
  const updated = await tx.update(profiles).set({ isDefault: true }).where(eq(profiles.id, id)).returning({ id: profiles.id });
  return updated.length > 0;
}
