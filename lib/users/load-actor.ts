import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import type { Actor } from "../auth/actor";

/**
 * The actor for a session's user id, read fresh from the database on every
 * request, so a role change or deactivation takes effect at once.
 */
export async function loadActor(db: Db, userId: string): Promise<Actor | null> {
  const [u] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, active: users.active })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!u || !u.active) return null;
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}
