import type { Db } from "../../db/client";
import { users, type User } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";
import { hashPassword } from "../auth/passwords";
import { AppError } from "../errors";
import { createUserMailbox } from "../mailboxes/create-user-mailbox";
import { isUniqueViolation, parseInput } from "../validation";
import { createUserInput } from "./user-input";
import { msg } from "../i18n/message";

/** Creates a user with a role (admins only), and their mailbox record. */
export async function createUser(db: Db, actor: Actor | null, input: unknown): Promise<User> {
  assertCan(actor, "user:admin");
  const data = parseInput(createUserInput, input);
  const passwordHash = await hashPassword(data.password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ email: data.email, name: data.name, passwordHash, role: data.role }).returning();
      await createUserMailbox(tx, user);
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err, "users_email_unique")) {
      throw new AppError("invalid", msg("common.fixFields"), { fieldErrors: { email: [msg("error.user.emailTaken")] } });
    }
    throw err;
  }
}
