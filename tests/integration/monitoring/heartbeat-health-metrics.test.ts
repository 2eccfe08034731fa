import { eq, sql } from "drizzle-orm";
import { beforeAll, expect, test } from "vitest";
import { createDb } from "../../../db/client";
import { workers } from "../../../db/schema/workers";
import { checkReadiness } from "../../../lib/health/check-readiness";
import { renderMetrics } from "../../../lib/metrics/render-metrics";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import { createHeartbeatStep } from "../../../workers/steps/heartbeat";
import type { TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { samplesOf, valueOf } from "../../harness/prometheus";
import { useDovecotSuite } from "../sync/dovecot-suite";
import { insertMailbox, insertProfile, makeDue, testMessage, testSyncOptions } from "../sync/sync-fixtures";
import { startWorker } from "../sync/worker-process";

const suite = useDovecotSuite();
let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
beforeAll(() => void ({ t, dovecot, ownerId } = suite));

const ctx = (workerId: string) => ({ db: t.db, workerId, signal: new AbortController().signal });

test("readiness: migrations current and database reachable, but not ready until a worker beats; a worker unseen for a minute or stopped is gone", async () => {
  expect(await checkReadiness(t.db)).toEqual({ ready: false, checks: { database: "ok", migrations: "current", worker: "none" }, lastWorkerSeenAt: null });

  const beat = createHeartbeatStep();
  expect(await beat(ctx("hb-1"))).toBe(0); // never counts as work, so an idle loop still sleeps
  const [row] = await t.db.select().from(workers).where(eq(workers.id, "hb-1"));
  expect(row).toMatchObject({ pid: process.pid, lanesBusy: 0, stoppedAt: null, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  expect(row.host.length).toBeGreaterThan(0);
  const ready = await checkReadiness(t.db);
  expect(ready).toMatchObject({ ready: true, checks: { database: "ok", migrations: "current", worker: "seen" } });

  // Unseen for a minute: gone.
  await t.db.execute(sql`update workers set last_seen_at = now() - interval '61 seconds' where id = 'hb-1'`);
  expect((await checkReadiness(t.db)).checks.worker).toBe("none");
  // A later beat brings it back (the step writes at most every 10 s; a fresh step writes at once).
  await createHeartbeatStep()(ctx("hb-1"));
  expect((await checkReadiness(t.db)).ready).toBe(true);
  // A graceful stop marks it gone at once.
  await beat.drain!();
  expect((await checkReadiness(t.db)).checks.worker).toBe("none");
});

test("readiness with a database that does not answer: not ready, database unreachable", async () => {
  const { db, close } = createDb("postgres://postgres@127.0.0.1:1/none", { max: 1 });
  try {
    expect(await checkReadiness(db)).toEqual({ ready: false, checks: { database: "unreachable", migrations: "unknown", worker: "unknown" }, lastWorkerSeenAt: null });
  } finally {
    await close();
  }
});

test("readiness: a migration this build ships but the database lacks is pending", async () => {
  await t.db.execute(sql`update drizzle.__drizzle_migrations set created_at = created_at - 1 where id = (select max(id) from drizzle.__drizzle_migrations)`);
  try {
    expect((await checkReadiness(t.db)).checks.migrations).toBe("pending");
  } finally {
    await t.db.execute(sql`update drizzle.__drizzle_migrations set created_at = created_at + 1 where id = (select max(id) from drizzle.__drizzle_migrations)`);
  }
});

test("/metrics after real syncs: stored counter, duration histogram and lag move; database figures equal the tables", async () => {
  await dovecot.addUser("metrics", "metrics-pw");
  await dovecot.deliverMany("metrics", [1, 2, 3].map((i) => testMessage(i, { tag: "m" })));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "metrics", password: "metrics-pw" });
  const workerId = "metrics-worker";
  const options = testSyncOptions(workerId);
  const beat = createHeartbeatStep({ everyMs: 0 });

  const [first] = await syncDueMailboxes(t.db, options);
  expect(first).toMatchObject({ mailboxId, result: "synced", stored: 3 });
  await beat(ctx(workerId));
  let text = (await renderMetrics(t.db)).text;
  const mine = { worker: workerId, profile: profileId, protocol: "imap" };
  expect(valueOf(text, "mailroom_messages_stored_total", mine)).toBe(3);
  expect(valueOf(text, "mailroom_sync_duration_seconds_count", { worker: workerId, protocol: "imap", result: "synced" })).toBe(1);
  expect(valueOf(text, "mailroom_workers_up")).toBe(1);

  await dovecot.deliverMany("metrics", [4, 5].map((i) => testMessage(i, { tag: "m" })));
  await makeDue(t.db, mailboxId);
  const [second] = await syncDueMailboxes(t.db, options);
  expect(second).toMatchObject({ result: "synced", stored: 2 });
  await beat(ctx(workerId));
  text = (await renderMetrics(t.db)).text;
  expect(valueOf(text, "mailroom_messages_stored_total", mine)).toBe(5);
  expect(valueOf(text, "mailroom_sync_duration_seconds_count", { worker: workerId, protocol: "imap", result: "synced" })).toBe(2);
  // The second sync was made due a second before it ran: its lag is recorded.
  const runs = await t.db.execute<{ lag_ms: number | null; stored: number }>(sql`select lag_ms, stored from sync_runs where mailbox_id = ${mailboxId} order by id`);
  expect(runs.map((r) => r.stored)).toEqual([3, 2]);
  expect(runs[1].lag_ms).toBeGreaterThanOrEqual(1000);

  // Database figures: each equals a count of its table.
  const [boxes] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from mailboxes where incoming_delivery = 'server_side_sync' and incoming_status = 'success' and incoming_enabled`);
  expect(valueOf(text, "mailroom_mailboxes", { direction: "incoming", status: "success", enabled: "true" })).toBe(boxes.n);
  expect(samplesOf(text, "mailroom_sync_lag_seconds").map((s) => s.labels.mailbox)).toContain(mailboxId);
  expect(valueOf(text, "mailroom_profile_info", { profile: profileId })).toBe(1);
  expect(valueOf(text, "mailroom_outbox_depth")).toBe(0);

  // A worker unseen for a minute drops out: its series go with it.
  await t.db.execute(sql`update workers set last_seen_at = now() - interval '2 minutes' where id = ${workerId}`);
  text = (await renderMetrics(t.db)).text;
  expect(valueOf(text, "mailroom_messages_stored_total", mine)).toBeUndefined();
  expect(valueOf(text, "mailroom_workers_up")).toBe(0);
});

test("the real worker process beats at start, so the app is ready; SIGTERM marks it gone", async () => {
  // Age earlier tests' workers before this one starts: aged after the start, the new worker's
  // first beat could be aged too (it raced the update in CI) and readiness would wait 10 s for the next.
  await t.db.execute(sql`update workers set last_seen_at = now() - interval '2 minutes'`);
  expect((await checkReadiness(t.db)).ready).toBe(false);
  const worker = await startWorker({ DATABASE_URL: t.url, MAILROOM_SECRET_KEY: process.env.MAILROOM_SECRET_KEY!, MAILROOM_WORKER_ID: "proc-1" });
  try {
    const beat = () => t.db.select().from(workers).where(eq(workers.id, "proc-1"));
    const deadline = Date.now() + 20_000;
    while ((await beat()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const [row] = await beat();
    expect(row).toMatchObject({ pid: expect.any(Number), stoppedAt: null });
    expect(row.pid).not.toBe(process.pid);
    expect(await checkReadiness(t.db)).toMatchObject({ ready: true, checks: { worker: "seen" } });
  } finally {
    await worker.stop();
  }
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  expect((await checkReadiness(t.db)).checks.worker).toBe("none");
});
