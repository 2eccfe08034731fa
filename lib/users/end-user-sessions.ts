import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { isUuid } from "../is-uuid";
import { msg } from "../i18n/message";

/**
 * Ends every session of a user, on every device: the session version goes up, and
 * loadActor refuses tokens issued under an older one. A user may end their own
 * sessions (signing out does); an admin may end anyone's ("sign out everywhere").
 */
export async function endUserSessions(db: Db, actor: Actor | null, userId: string): Promise<void> {
  if (actor?.id !== userId) assertCan(actor, "user:admin");
  if (!isUuid(userId)) throw new AppError("not_found", msg("error.user.gone"));
  const ended = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  if (ended.length === 0) throw new AppError("not_found", msg("error.user.gone"));
}
