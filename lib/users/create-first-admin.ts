import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users, type User } from "../../db/schema/users";
import { hashPassword } from "../auth/passwords";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { createUserMailbox } from "../mailboxes/create-user-mailbox";
import { parseInput } from "../validation";
import { newUserInput } from "./user-input";

/**
 * One-time setup: creates the first admin while the database has no user. An
 * advisory lock makes two simultaneous setups create one admin, not two; once a
 * user exists this refuses, so the setup page cannot be replayed.
 */
export async function createFirstAdmin(db: Db, input: unknown): Promise<User> {
  const data = parseInput(newUserInput, input);
  const passwordHash = await hashPassword(data.password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('mailroom:first-admin'))`);
    const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
    if (n > 0) throw new AppError("forbidden", msg("error.setup.done"));
    const [user] = await tx.insert(users).values({ email: data.email, name: data.name, passwordHash, role: "admin" }).returning();
    await createUserMailbox(tx, user);
    return user;
  });
}
