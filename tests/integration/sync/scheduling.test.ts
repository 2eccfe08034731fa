import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { orgSettings } from "../../../db/schema/settings";
import type { Actor } from "../../../lib/auth/actor";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { claimDueMailboxes } from "../../../lib/sync/claim-due-mailboxes";
import { acquireConnectionSlot, releaseConnectionSlot, renewConnectionSlot } from "../../../lib/sync/connection-slots";
import { getSyncProgress } from "../../../lib/sync/get-sync-progress";
import { requestSyncNow } from "../../../lib/sync/request-sync-now";
import { createTestDb, type TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { insertMailbox, insertProfile, insertUser } from "./sync-fixtures";
import { refusedInEnglish } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

let t: TestDb;
let ownerId: string;
let profileId: string;
// No server is contacted here; the profile only needs ports.
const fakeDovecot = { ports: { imap: 1143, imaps: 1993, pop3: 1110, pop3s: 1995 } } as unknown as Dovecot;
beforeAll(async () => {
  t = await createTestDb();
  ownerId = await insertUser(t.db);
  profileId = await insertProfile(t.db, { dovecot: fakeDovecot, protocol: "imap", ownerId });
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

const lease = { leaseMs: 60_000 };
const newBox = (o: Partial<typeof mailboxes.$inferInsert> = {}) =>
  insertMailbox(t.db, { profileId, ownerId, user: "u", password: "p" }).then(async (id) => {
    if (Object.keys(o).length > 0) await t.db.update(mailboxes).set(o).where(eq(mailboxes.id, id));
    return id;
  });

test("only due mailboxes are claimed: server-side sync, enabled, approved while approval is required, next sync reached, not leased by a live worker", async () => {
  const due = await newBox();
  const neverScheduled = await newBox({ nextSyncAt: null });
  const expiredLease = await newBox({ leaseOwner: "crashed", leaseExpiresAt: new Date(Date.now() - 1000) });
  await newBox({ incomingEnabled: false });
  await newBox({ incomingDelivery: "email_router" });
  await newBox({ incomingDelivery: "none" });
  const unapproved = await newBox({ approvedAt: null });
  await newBox({ nextSyncAt: new Date(Date.now() + 60_000) });
  await newBox({ leaseOwner: "alive", leaseExpiresAt: new Date(Date.now() + 60_000) });

  const claimed = await claimDueMailboxes(t.db, { workerId: "w1", limit: 100, ...lease });
  expect(claimed.sort()).toEqual([due, neverScheduled, expiredLease].sort());
  const rows = await t.db.select().from(mailboxes).where(inArray(mailboxes.id, claimed));
  for (const r of rows) {
    expect(r.leaseOwner).toBe("w1");
    expect(r.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
  }
  // Leased now: nobody else gets them.
  expect(await claimDueMailboxes(t.db, { workerId: "w2", limit: 100, ...lease })).toEqual([]);

  // When the organisation processes every mailbox, approval no longer matters.
  await t.db.insert(orgSettings).values({ id: 1, processOnlyApproved: false }).onConflictDoUpdate({ target: orgSettings.id, set: { processOnlyApproved: false } });
  expect(await claimDueMailboxes(t.db, { workerId: "w2", limit: 100, ...lease })).toEqual([unapproved]);
  await t.db.update(orgSettings).set({ processOnlyApproved: true }).where(eq(orgSettings.id, 1));
});

test("concurrent claimers never claim the same mailbox", async () => {
  await t.db.update(mailboxes).set({ incomingEnabled: false });
  const ids = await Promise.all(Array.from({ length: 30 }, () => newBox()));
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => claimDueMailboxes(t.db, { workerId: `w${i}`, limit: 7, ...lease })));
  const all = results.flat();
  expect(new Set(all).size).toBe(all.length);
  expect(all.sort()).toEqual([...ids].sort());
  await t.db.update(mailboxes).set({ incomingEnabled: false });
});

test("connection slots: never more than the maximum per key across owners; freed on release or when their lease expires", async () => {
  const key = "profile:slots-test";
  const take = (owner: string, ttlMs = 60_000) => acquireConnectionSlot(t.db, { key, max: 2, owner, ttlMs });
  const results = await Promise.all(["a", "b", "c", "d", "e"].map((o) => take(o)));
  expect(results.filter((s) => s !== null).sort()).toEqual([0, 1]);
  const holder = ["a", "b", "c", "d", "e"][results.indexOf(0)];
  expect(await acquireConnectionSlot(t.db, { key: "mailbox:other", max: 2, owner: "x", ttlMs: 60_000 })).toBe(0); // keys are separate budgets

  await releaseConnectionSlot(t.db, { key, slot: 0, owner: "not-the-holder" });
  expect(await take("f")).toBeNull();
  await releaseConnectionSlot(t.db, { key, slot: 0, owner: holder });
  expect(await take("f")).toBe(0);

  // A crashed holder's slot frees itself when its lease expires.
  await t.db.execute(sql`update connection_slots set expires_at = now() - interval '1 second' where key = ${key} and slot = 1`);
  expect(await take("g")).toBe(1);
  expect(await renewConnectionSlot(t.db, { key, slot: 1, owner: "g", ttlMs: 60_000 })).toBe(true);
  expect(await renewConnectionSlot(t.db, { key, slot: 1, owner: "someone-else", ttlMs: 60_000 })).toBe(false);
  // A lowered maximum is honoured at once.
  expect(await acquireConnectionSlot(t.db, { key, max: 1, owner: "h", ttlMs: 60_000 })).toBeNull();
});

test("sync now makes a mailbox due at once for its owner or a mailbox manager; refused for others and when it would not sync", async () => {
  const memberId = await insertUser(t.db, "member");
  const otherId = await insertUser(t.db, "other");
  const member: Actor = { id: memberId, email: "m@example.com", name: "M", role: "member" };
  const other: Actor = { id: otherId, email: "o@example.com", name: "O", role: "member" };
  const manager: Actor = { id: ownerId, email: "mgr@example.com", name: "Mgr", role: "mailbox_manager" };
  const id = await newBox({ ownerId: memberId, nextSyncAt: new Date(Date.now() + 3600_000) });

  const { nextSyncAt } = await requestSyncNow(t.db, member, { mailboxId: id });
  expect(Math.abs(nextSyncAt.getTime() - Date.now())).toBeLessThan(5_000);
  expect(await claimDueMailboxes(t.db, { workerId: "w", limit: 10, ...lease })).toEqual([id]);
  await t.db.update(mailboxes).set({ leaseOwner: null, leaseExpiresAt: null, nextSyncAt: new Date(Date.now() + 3600_000) }).where(eq(mailboxes.id, id));

  await expect(requestSyncNow(t.db, other, { mailboxId: id })).rejects.toMatchObject({ code: "not_found" });
  await expect(requestSyncNow(t.db, null, { mailboxId: id })).rejects.toMatchObject({ code: "unauthenticated" });
  await expect(requestSyncNow(t.db, member, { mailboxId: "nonsense" })).rejects.toMatchObject({ code: "not_found" });
  await requestSyncNow(t.db, manager, { mailboxId: id });

  await t.db.update(mailboxes).set({ incomingEnabled: false }).where(eq(mailboxes.id, id));
  await expect(refusedInEnglish(requestSyncNow(t.db, member, { mailboxId: id }))).rejects.toMatchObject({ code: "invalid", text: expect.stringMatching(/Test & enable/) });
  await t.db.update(mailboxes).set({ incomingEnabled: true, approvedAt: null }).where(eq(mailboxes.id, id));
  await expect(refusedInEnglish(requestSyncNow(t.db, member, { mailboxId: id }))).rejects.toMatchObject({ code: "invalid", text: expect.stringMatching(/not approved/) });
  await t.db.update(mailboxes).set({ incomingEnabled: false });
});

test("sync now starts at most one sync per the profile's minimum polling interval, however often it is pressed", async () => {
  const memberId = await insertUser(t.db, "member");
  const member: Actor = { id: memberId, email: "m3@example.com", name: "M", role: "member" };
  await t.db.execute(sql`update profiles set min_polling_interval_minutes = 1 where id = ${profileId}`);
  const id = await newBox({ ownerId: memberId, nextSyncAt: new Date(Date.now() + 3600_000) });
  const presses = [];
  for (let i = 0; i < 15; i++) presses.push(await requestSyncNow(t.db, member, { mailboxId: id }));
  expect(presses[0]).toMatchObject({ deferred: false });
  expect(Math.abs(presses[0].nextSyncAt.getTime() - Date.now())).toBeLessThan(5_000);
  // The other 14 add nothing: the one sync already asked for stays the only one.
  for (const p of presses.slice(1)) expect(p).toEqual({ deferred: true, nextSyncAt: presses[0].nextSyncAt });
  // A worker syncs it once; pressing right after the sync does not make it due again.
  expect(await claimDueMailboxes(t.db, { workerId: "w", limit: 10, ...lease })).toContain(id);
  await t.db.update(mailboxes).set({ leaseOwner: null, leaseExpiresAt: null, lastSyncAt: new Date(), syncNowAt: new Date(Date.now() - 3600_000), nextSyncAt: new Date(Date.now() + 3600_000) }).where(eq(mailboxes.id, id));
  const soon = await requestSyncNow(t.db, member, { mailboxId: id });
  expect(soon.deferred).toBe(true);
  expect(soon.nextSyncAt.getTime() - Date.now()).toBeGreaterThan(40_000);
  expect(await claimDueMailboxes(t.db, { workerId: "w", limit: 10, ...lease })).not.toContain(id);
  // Once the interval has passed since both, it is due at once again.
  await t.db.update(mailboxes).set({ lastSyncAt: new Date(Date.now() - 61_000), syncNowAt: new Date(Date.now() - 61_000) }).where(eq(mailboxes.id, id));
  expect(await requestSyncNow(t.db, member, { mailboxId: id })).toMatchObject({ deferred: false });
  await t.db.update(mailboxes).set({ incomingEnabled: false }).where(eq(mailboxes.id, id));
});

test("sync progress tells the page where the first sync or a backfill stands, to the mailbox's owner only", async () => {
  const memberId = await insertUser(t.db, "member");
  const member: Actor = { id: memberId, email: "m2@example.com", name: "M", role: "member" };
  const stranger: Actor = { id: ownerId, email: "s@example.com", name: "S", role: "member" };
  const id = await newBox({ ownerId: memberId });
  expect(await getSyncProgress(t.db, member, { mailboxId: id })).toMatchObject({ phase: "not_started", done: 0, total: 0, syncing: false });

  await t.db.update(mailboxes).set({ syncProgressDone: 1200, syncProgressTotal: 5000, leaseOwner: "w", leaseExpiresAt: new Date(Date.now() + 60_000) }).where(eq(mailboxes.id, id));
  expect(await getSyncProgress(t.db, member, { mailboxId: id })).toMatchObject({ phase: "first_sync", done: 1200, total: 5000, syncing: true });

  await t.db.update(mailboxes).set({ syncedFrom: new Date("2030-01-01T00:00:00Z"), lastSyncAt: new Date(), leaseOwner: null, leaseExpiresAt: null }).where(eq(mailboxes.id, id));
  expect(await getSyncProgress(t.db, member, { mailboxId: id })).toMatchObject({ phase: "backfill", syncing: false });
  await t.db.update(mailboxes).set({ syncedFrom: new Date("2000-01-01T00:00:00Z") }).where(eq(mailboxes.id, id));
  expect(await getSyncProgress(t.db, member, { mailboxId: id })).toMatchObject({ phase: "up_to_date" });

  await expect(getSyncProgress(t.db, stranger, { mailboxId: id })).rejects.toMatchObject({ code: "not_found" });
});
