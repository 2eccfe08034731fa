import { and, asc, eq, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import { assertCan, can, type Actor } from "../auth/actor";

export type UserChoice = { id: string; name: string; email: string };

/** LIKE's wildcards and escape character, taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Active users whose name or email contains `query` (case-insensitive), by name, at most
 * `limit`: the matches an owner picker shows (a queue's owner, a profile's owner). For
 * those who may set an owner: mailbox:write or profile:write.
 */
export async function searchUserChoices(db: Db, actor: Actor | null, input: { query?: string; limit?: number }): Promise<UserChoice[]> {
  assertCan(actor, can(actor, "profile:write") ? "profile:write" : "mailbox:write");
  const query = (input.query ?? "").trim().slice(0, 100);
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 20), 1), 50);
  const match = query ? or(sql`lower(${users.name}) like lower(${containing(query)})`, sql`lower(${users.email}) like lower(${containing(query)})`) : undefined;
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.active, true), match))
    .orderBy(asc(users.name), asc(users.email))
    .limit(limit);
}

/** One user as a picker's current choice (its label), or null when there is none. Same privileges. */
export async function getUserChoice(db: Db, actor: Actor | null, id: string | null | undefined): Promise<UserChoice | null> {
  assertCan(actor, can(actor, "profile:write") ? "profile:write" : "mailbox:write");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.id, id));
  return row ?? null;
}
