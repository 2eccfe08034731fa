import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import type { UserRow } from "./list-users";

/** One user for the edit form (admins only), without the password hash. */
export async function getUser(db: Db, actor: Actor | null, id: string): Promise<UserRow> {
  assertCan(actor, "user:admin");
  if (!isUuid(id)) throw new AppError("not_found", msg("error.user.notFound"));
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, active: users.active, createdAt: users.createdAt })
    .from(users)
    .where(eq(users.id, id));
  if (!row) throw new AppError("not_found", msg("error.user.notFound"));
  return row;
}
