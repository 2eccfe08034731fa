import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { getDashboard } from "../../../lib/monitoring/get-dashboard";
import { createDashboardCache } from "../../../lib/monitoring/dashboard-cache";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, type Actors } from "../profiles/test-actors";

let t: TestDb;
let actors: Actors;
let fast: string;
let slow: string;
let broken: string;

const H = 3_600_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

beforeAll(async () => {
  t = await createTestDb();
  actors = await insertActors(t.db);
  const [p] = await t.db.insert(profiles).values({ name: "P", serverType: "pop3smtp", incomingHost: "h", outgoingHost: "h", incomingPort: 993, outgoingPort: 465 }).returning({ id: profiles.id });
  const box = async (name: string, over: Partial<typeof mailboxes.$inferInsert> = {}) =>
    (await t.db.insert(mailboxes).values({ kind: "queue", name, emailAddress: `${name}@example.com`, profileId: p.id, incomingDelivery: "server_side_sync", incomingEnabled: true, incomingStatus: "success", lastTestedAt: new Date(Date.now() - 48 * H), ...over }).returning({ id: mailboxes.id }))[0].id;
  fast = await box("fast");
  slow = await box("slow", { outgoingDelivery: "server_side_sync", outgoingStatus: "success", outgoingEnabled: true });
  broken = await box("broken", { incomingStatus: "failure", incomingEnabled: false, lastErrorCode: "auth_failed", lastError: "Authentication failed", lastErrorKey: "mailError.authFailed", lastErrorParams: { credentialsKey: "" }, consecutiveFailures: 1 });
  const run = (mailboxId: string, msAgo: number, o: { stored?: number; code?: string; lagMs?: number }) =>
    t.db.execute(sql`insert into sync_runs (mailbox_id, protocol, worker_id, result, error_code, stored, lag_ms, duration_ms, finished_at)
      values (${mailboxId}, 'imap', 'w', ${o.code ? "retrying" : "synced"}, ${o.code ?? null}, ${o.stored ?? 0}, ${o.lagMs ?? null}, 100, ${iso(msAgo)})`);
  await run(fast, 0, { stored: 4, lagMs: 1_000 });
  await run(fast, 2 * H, { stored: 6, lagMs: 3_000 });
  await run(slow, 3 * H, { stored: 1, lagMs: 600_000 });
  await run(broken, 5 * H, { code: "auth_failed" });
  await run(broken, 5 * H, { code: "auth_failed" });
  await run(broken, 6 * H, { code: "timeout" });
  await run(fast, 30 * H, { stored: 100 }); // outside 24 h, inside 7 days
  await run(fast, 9 * 24 * H, { stored: 1000 }); // outside both
  // New-mail latency: 2 min for "fast", 40 min for "slow"; mail older than its last test is an import and ignored.
  let n = 0;
  const mail = (mailboxId: string, msAgo: number, latencyMs: number) =>
    t.db.execute(sql`insert into emails (mailbox_id, source_key, content_hash, size_bytes, stored_at, arrived_at) values (${mailboxId}, ${`k${++n}`}, 'h', 1, ${iso(msAgo)}, ${iso(msAgo + latencyMs)})`);
  for (let i = 0; i < 4; i++) await mail(fast, H, 120_000);
  await mail(slow, H, 40 * 60_000);
  await mail(slow, H, 400 * 24 * H);
  const sent = (msAgo: number, status: string) =>
    t.db.execute(sql`insert into outbox (mailbox_id, message_id, to_list, status, sent_at, created_at) values (${slow}, ${`<${++n}@x>`}, '[]', ${status}::outbox_status, ${status === "sent" ? iso(msAgo) : null}, ${iso(msAgo)})`);
  await sent(H, "sent");
  await sent(H, "sent");
  await sent(2 * H, "queued");
  await sent(H, "retrying");
  await t.db.execute(sql`insert into workers (id, host, pid, version, started_at, last_seen_at, lanes_busy) values
    ('alive', 'h1', 11, '0.1.0', now() - interval '1 hour', now(), 3), ('gone', 'h2', 12, '0.1.0', now() - interval '2 hours', now() - interval '2 minutes', 0)`);
});
afterAll(async () => t?.close());

test("24 hours: hourly series and totals equal the rows in range; latency, lag, slowest, failing, workers and outbox", async () => {
  const d = await getDashboard(t.db, actors.manager, {});
  expect(d.range).toBe("24h");
  expect(d.hours).toHaveLength(24);
  expect(d.hours[23]).toBe(Math.floor(Date.now() / H) * 3600);
  expect(d.storedPerHour[23]).toBe(4);
  expect(d.storedPerHour[21]).toBe(6);
  expect(d.totals).toEqual({ stored: 11, sent: 2, errors: 3 });
  expect(d.errorsPerHour).toEqual([
    { code: "auth_failed", counts: d.hours.map((_, i) => (i === 18 ? 2 : 0)) },
    { code: "timeout", counts: d.hours.map((_, i) => (i === 17 ? 1 : 0)) },
  ]);
  expect(d.mailboxes.incoming).toEqual([
    { status: "failure", enabled: false, count: 1 },
    { status: "success", enabled: true, count: 2 },
  ]);
  expect(d.mailboxes.outgoing).toEqual([{ status: "success", enabled: true, count: 1 }]);
  expect(d.latency.samples).toBe(5);
  expect(d.latency.p50).toBeCloseTo(120, 0);
  expect(d.slowest.map((m) => m.name)).toEqual(["slow", "fast"]);
  expect(d.slowest[0].latency.p95).toBeCloseTo(2400, 0);
  expect(d.slowest[0].lag).toEqual({ p50: 600, p95: 600, samples: 1 });
  expect(d.slowest[1].lag.p50).toBeCloseTo(2, 5);
  expect(d.failing).toEqual([expect.objectContaining({ id: broken, direction: "incoming", status: "failure", errorCode: "auth_failed", enabled: false, error: { key: "mailError.authFailed", params: { credentialsKey: "" } } })]);
  expect(d.workers.map((w) => [w.id, w.alive, w.lanesBusy])).toEqual([["alive", true, 3], ["gone", false, 0]]);
  expect(d.outbox).toMatchObject({ queued: 1, retrying: 1, sending: 0, oldestMailboxId: slow });
});

test("7 days: 168 hours, the older run counts; privileges: managers and admins read, members do not", async () => {
  const d = await getDashboard(t.db, actors.admin, { range: "7d" });
  expect(d.hours).toHaveLength(168);
  expect(d.totals.stored).toBe(111);
  await expect(getDashboard(t.db, actors.member, {})).rejects.toMatchObject({ code: "forbidden" });
  await expect(getDashboard(t.db, null, {})).rejects.toMatchObject({ code: "unauthenticated" });
});

test("the shared dashboard: one computation per range while fresh, new figures once it is older than its age, readers checked every time", async () => {
  let clock = 1_000_000;
  const cached = createDashboardCache(() => clock);
  // Concurrent readers share the computation in flight.
  const [a, b] = await Promise.all([cached(t.db, actors.admin, {}, 5_000), cached(t.db, actors.manager, {}, 5_000)]);
  expect(b).toBe(a);
  const week = await cached(t.db, actors.admin, { range: "7d" }, 5_000);
  expect(week.range).toBe("7d");
  // New data within the age is not shown yet; after it, it is.
  await t.db.execute(sql`insert into sync_runs (mailbox_id, protocol, worker_id, result, stored, duration_ms, finished_at) values (${fast}, 'imap', 'w', 'synced', 7, 100, now())`);
  clock += 4_999;
  expect((await cached(t.db, actors.admin, {}, 5_000)).totals.stored).toBe(a.totals.stored);
  // A member is refused even though the figures are at hand.
  await expect(cached(t.db, actors.member, {}, 5_000)).rejects.toMatchObject({ code: "forbidden" });
  await expect(cached(t.db, null, {}, 5_000)).rejects.toMatchObject({ code: "unauthenticated" });
  clock += 1;
  const fresh = await cached(t.db, actors.admin, {}, 5_000);
  expect(fresh.totals.stored).toBe(a.totals.stored + 7);
  expect(fresh.generatedAt.getTime()).toBeGreaterThanOrEqual(a.generatedAt.getTime());
  // Age 0: every call computes.
  expect(await cached(t.db, actors.admin, {}, 0)).not.toBe(fresh);
  await t.db.execute(sql`delete from sync_runs where stored = 7`);
});
