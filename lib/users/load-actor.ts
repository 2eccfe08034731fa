import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import type { Actor } from "../auth/actor";

/**
 * The actor for a session's user id, read fresh from the database on every
 * request, so a role change or deactivation takes effect at once. With
 * `sessionVersion` (the version the session was issued under), a session ended
 * since then (sign-out, password change, "sign out everywhere") gets null too:
 * the same one-row read, so the check costs nothing extra.
 */
export async function loadActor(db: Db, userId: string, sessionVersion?: number): Promise<Actor | null> {
  const [u] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, active: users.active, sessionVersion: users.sessionVersion })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!u || !u.active) return null;
  if (sessionVersion !== undefined && u.sessionVersion !== sessionVersion) return null;
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}
