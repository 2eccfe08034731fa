import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";

/** Active users who may own a queue, by name, for the owner chooser (mailbox:write). */
export async function listOwnerChoices(db: Db, actor: Actor | null): Promise<{ id: string; name: string; email: string }[]> {
  assertCan(actor, "mailbox:write");
  return db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.active, true)).orderBy(asc(users.name)).limit(1000);
}
