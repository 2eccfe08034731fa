import { asc, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import { assertCan, type Actor } from "../auth/actor";
import type { Role } from "../auth/privileges";

export type UserRow = { id: string; email: string; name: string; role: Role; active: boolean; createdAt: Date };
export type Page<T> = { rows: T[]; total: number; page: number; pageSize: number };

/** One page of users, by email (admins only). Never returns password hashes. */
export async function listUsers(db: Db, actor: Actor | null, opts: { page?: number; pageSize?: number } = {}): Promise<Page<UserRow>> {
  assertCan(actor, "user:admin");
  const pageSize = Math.min(Math.max(opts.pageSize ?? 50, 1), 200);
  const page = Math.max(opts.page ?? 1, 1);
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, active: users.active, createdAt: users.createdAt })
    .from(users)
    .orderBy(asc(users.email))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return { rows, total: n, page, pageSize };
}
