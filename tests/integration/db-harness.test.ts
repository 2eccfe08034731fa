import { afterAll, beforeAll, expect, test } from "vitest";
import { sql } from "drizzle-orm";
import { users } from "../../db/schema/users";
import { createTestDb, type TestDb } from "../harness/db";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

test("each test file gets its own migrated, empty database", async () => {
  const rows = await t.db.select().from(users);
  expect(rows).toEqual([]);
  const ext = await t.db.execute(sql`select extname from pg_extension where extname = 'pg_trgm'`);
  expect(ext.length).toBe(1);
});

test("user emails are unique", async () => {
  await t.db.insert(users).values({ email: "a@example.com", name: "A", passwordHash: "x" });
  await expect(t.db.insert(users).values({ email: "a@example.com", name: "B", passwordHash: "y" })).rejects.toThrow();
});
