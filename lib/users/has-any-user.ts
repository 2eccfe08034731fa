import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";

/** Whether any user exists (false means first-run setup is still open). */
export async function hasAnyUser(db: Db): Promise<boolean> {
  const rows = await db.select({ one: sql<number>`1` }).from(users).limit(1);
  return rows.length > 0;
}
