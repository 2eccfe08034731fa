import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users, type User } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";
import { hashPassword } from "../auth/passwords";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { parseInput } from "../validation";
import { updateUserInput } from "./user-input";

/**
 * Changes a user's name, role, active flag and (when given) password, which ends
 * all of the user's sessions. Refuses a
 * change that would leave no active admin, so the organisation cannot lock itself out.
 */
export async function updateUser(db: Db, actor: Actor | null, input: unknown): Promise<User> {
  assertCan(actor, "user:admin");
  const data = parseInput(updateUserInput, input);
  const passwordHash = data.password ? await hashPassword(data.password) : undefined;
  return db.transaction(async (tx) => {
    // Serialise admin changes so two concurrent demotions cannot both pass the check.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('mailroom:admins'))`);
    const [current] = await tx.select().from(users).where(eq(users.id, data.id));
    if (!current) throw new AppError("not_found", msg("error.user.gone"));
    const losesAdmin = current.role === "admin" && current.active && (data.role !== "admin" || !data.active);
    if (losesAdmin) {
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.role, "admin"), eq(users.active, true), ne(users.id, data.id)));
      if (n === 0) {
        throw new AppError("invalid", msg("common.fixFields"), { fieldErrors: { role: [msg("error.user.lastAdmin")] } });
      }
    }
    const [user] = await tx
      .update(users)
      // A new password ends the user's sessions: whoever knew the old one is signed out.
      .set({
        name: data.name,
        role: data.role,
        active: data.active,
        updatedAt: new Date(),
        ...(passwordHash ? { passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` } : {}),
      })
      .where(eq(users.id, data.id))
      .returning();
    return user;
  });
}
