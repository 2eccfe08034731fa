import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { users } from "../../../db/schema/users";
import { raiseAlert } from "../../../lib/alerts/raise-alert";
import { createTestDb, type TestDb } from "../../harness/db";
import { msg } from "../../../lib/i18n/message";

let t: TestDb;
let alice: string;
let bob: string;
beforeAll(async () => {
  t = await createTestDb();
  const rows = await t.db
    .insert(users)
    .values([
      { email: "alice@example.com", name: "Alice", passwordHash: "x" },
      { email: "bob@example.com", name: "Bob", passwordHash: "x" },
    ])
    .returning();
  [alice, bob] = rows.map((r) => r.id);
});
afterAll(async () => {
  await t?.close();
});

const base = {
  severity: "error" as const,
  title: msg("alerts.text.incomingFailingTitle", { mailbox: "Support" }),
  message: msg("mailError.authFailed", { credentialsKey: "mailError.credentials.mailbox" }),
  detail: "AUTHENTICATIONFAILED",
};

test("the same unread alert raised again counts occurrences instead of duplicating", async () => {
  await raiseAlert(t.db, { ...base, recipientIds: [alice], dedupKey: "k1" });
  const [first] = await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k1"));
  await new Promise((r) => setTimeout(r, 20));
  await raiseAlert(t.db, { ...base, recipientIds: [alice], dedupKey: "k1", detail: "second detail" });
  await raiseAlert(t.db, { ...base, recipientIds: [alice], dedupKey: "k1" });
  const rows = await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k1"));
  expect(rows).toHaveLength(1);
  expect(rows[0].count).toBe(3);
  expect(rows[0].firstSeenAt.getTime()).toBe(first.firstSeenAt.getTime());
  expect(rows[0].lastSeenAt.getTime()).toBeGreaterThan(first.lastSeenAt.getTime());
});

test("null and repeated recipients are skipped; each real recipient gets one alert", async () => {
  await raiseAlert(t.db, { ...base, recipientIds: [alice, null, bob, alice], dedupKey: "k2" });
  const rows = await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k2")).orderBy(asc(alerts.recipientId));
  expect(rows.map((r) => r.recipientId).sort()).toEqual([alice, bob].sort());
  expect(rows.every((r) => r.count === 1)).toBe(true);
  await raiseAlert(t.db, { ...base, recipientIds: [null], dedupKey: "k-none" });
  expect(await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k-none"))).toHaveLength(0);
});

test("once read, the next occurrence is a new unread alert", async () => {
  await raiseAlert(t.db, { ...base, recipientIds: [bob], dedupKey: "k3" });
  await t.db.update(alerts).set({ readAt: new Date() }).where(eq(alerts.dedupKey, "k3"));
  await raiseAlert(t.db, { ...base, recipientIds: [bob], dedupKey: "k3" });
  const rows = await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k3"));
  expect(rows).toHaveLength(2);
  expect(rows.filter((r) => r.readAt === null)).toHaveLength(1);
});

test("works inside a transaction and rolls back with it", async () => {
  await t.db
    .transaction(async (tx) => {
      await raiseAlert(tx, { ...base, recipientIds: [alice], dedupKey: "k4" });
      throw new Error("rollback");
    })
    .catch(() => {});
  expect(await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k4"))).toHaveLength(0);
  await t.db.transaction(async (tx) => raiseAlert(tx, { ...base, recipientIds: [alice], dedupKey: "k4" }));
  expect(await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k4"))).toHaveLength(1);
});

test("a concurrent burst of the same alert still ends as one row with the full count", async () => {
  await Promise.all(Array.from({ length: 8 }, () => raiseAlert(t.db, { ...base, recipientIds: [alice, bob], dedupKey: "k5" })));
  const rows = await t.db.select().from(alerts).where(eq(alerts.dedupKey, "k5"));
  expect(rows).toHaveLength(2);
  expect(rows.map((r) => r.count)).toEqual([8, 8]);
});
