// 100 mailboxes (own credentials each) on one server that accepts TCP and never answers, and
// healthy mailboxes on a real Dovecot, served by the same single worker. The healthy
// mailboxes' lag is measured first without the hung ones, then from the moment all 100 are
// due at once (the first wave, the circuit opening, its probe), in the same run. Before the
// fix the hung mailboxes took every lane, wave after wave (⌈100/24⌉ × the timeout). The worker
// runs with a 15 s mail timeout and the default greeting timeout (10 s).
import os from "node:os";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { createTestDb, type TestDb } from "../harness/db";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { startSilentServer } from "../harness/tcp";
import { createTestPki } from "../harness/tls";
import { insertMailbox, insertProfile, insertUser, testMessage } from "../integration/sync/sync-fixtures";
import { waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { count, figure, sleep, startNamedWorker } from "./support/fault-kit";
import { fmt, measureLag, percentile, type Healthy } from "./support/lag";

/** MAILROOM_HUNG_MAILBOXES and MAILROOM_HUNG_MAIL_TIMEOUT_MS vary the run for RELIABILITY.md's figures (N = 30, 72; the production 30 s). */
const HUNG = Number(process.env.MAILROOM_HUNG_MAILBOXES) || 100;
const HEALTHY = 3;
const BASELINE_ROUNDS = count(8, 20);
/** How long the lag is measured once the hung mailboxes are due: the first wave, the circuit's open time and its first probe. */
const HUNG_PHASE_MS = count(45_000, 120_000);
const MAIL_TIMEOUT_MS = Number(process.env.MAILROOM_HUNG_MAIL_TIMEOUT_MS) || 15_000;

const pki = createTestPki();
const secretKey = generateSecretKey("hung-hosts");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let t: TestDb;
let dovecot: Dovecot;
const cleanups: Array<() => Promise<void>> = [];
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  [t, dovecot] = await Promise.all([createTestDb(), startDovecot({ pki })]);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  for (const c of cleanups) await c();
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

test(`${HUNG} mailboxes on a server that never answers leave a healthy mailbox's lag unchanged on the same worker`, async () => {
  const ownerId = await insertUser(t.db);
  const silent = await startSilentServer();
  cleanups.push(silent.stop);
  // One profile, credentials per mailbox: no shared connection budget caps the hung ones.
  const hungProfile = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId, port: silent.port });
  const hungIds: string[] = [];
  for (let i = 0; i < HUNG; i++) hungIds.push(await insertMailbox(t.db, { profileId: hungProfile, ownerId, user: `hung${i}`, password: `hung${i}-pw`, name: `hung ${i}` }));
  await t.db.execute(sql`update mailboxes set incoming_enabled = false, next_sync_at = null where profile_id = ${hungProfile}`);
  const healthy: Healthy[] = [];
  for (let i = 0; i < HEALTHY; i++) {
    const user = `fine${i}`;
    await dovecot.addUser(user, `${user}-pw`);
    await dovecot.deliverMany(user, Array.from({ length: 3 }, (_, k) => testMessage(k, { tag: user })));
    healthy.push({ id: await insertMailbox(t.db, { profileId: await insertProfile(t.db, { dovecot, protocol: "imap", ownerId }), ownerId, user, password: `${user}-pw` }), user });
  }

  workers.push((await startNamedWorker({ databaseUrl: t.url, secretKey, caFile: pki.caFile, extra: { MAILROOM_MAIL_TIMEOUT_MS: String(MAIL_TIMEOUT_MS) } })).proc);
  await waitFor("the healthy mailboxes' first sync", async () => {
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from emails`);
    return n >= HEALTHY * 3;
  }, 60_000);

  const round = (timeoutMs?: number) => measureLag(t.db, dovecot, healthy, timeoutMs);
  const baseline: number[] = [];
  for (let r = 0; r < BASELINE_ROUNDS; r++) {
    baseline.push(...(await round()));
    await sleep(500);
  }
  const loadBefore = os.loadavg()[0];

  // All 100 hung mailboxes due at once, never synced (due before anything else).
  const hungSince = Date.now();
  await t.db.execute(sql`update mailboxes set incoming_enabled = true, next_sync_at = null where profile_id = ${hungProfile}`);
  const withHung: number[] = [];
  while (Date.now() - hungSince < HUNG_PHASE_MS) {
    withHung.push(...(await round(150_000)));
    await sleep(500);
  }
  const loadAfter = os.loadavg()[0];

  const [runs] = await t.db.execute<{ timeouts: number; longest: number; shortest: number }>(sql`
    select count(*)::int as timeouts, coalesce(max(duration_ms), 0)::int as longest, coalesce(min(duration_ms), 0)::int as shortest
      from sync_runs r join mailboxes m on m.id = r.mailbox_id
     where m.profile_id = ${hungProfile} and r.error_code = 'timeout'`);
  const statuses = await t.db.execute<{ code: string | null; n: number }>(sql`
    select last_error_code as code, count(*)::int as n from mailboxes where profile_id = ${hungProfile} group by 1 order by 1`);
  const p = (xs: number[]) => `p50 ${fmt(percentile(xs, 50))}, p95 ${fmt(percentile(xs, 95))}, max ${fmt(Math.max(...xs))} (${xs.length} samples)`;
  figure("hung-hosts", `1 worker (24 lanes), mail timeout ${MAIL_TIMEOUT_MS / 1000} s, greeting timeout default; ${HEALTHY} healthy IMAPS mailboxes: ` +
    `lag without hung mailboxes ${p(baseline)}; for ${HUNG_PHASE_MS / 1000} s after ${HUNG} hung mailboxes came due ${p(withHung)}; ` +
    `hung syncs that timed out: ${runs.timeouts} (each ${fmt(runs.shortest)}–${fmt(runs.longest)}); hung mailboxes by last error: ${statuses.map((s) => `${s.code ?? "none"} ${s.n}`).join(", ")}; ` +
    `load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`);

  // The hung server was really tried and really hung (a timeout, not a refusal).
  expect(runs.timeouts).toBeGreaterThanOrEqual(3);
  // Unchanged within noise: at most a scheduling hiccup more than without them, far below one timeout.
  expect(percentile(withHung, 95)).toBeLessThanOrEqual(Math.max(percentile(baseline, 95) * 2, percentile(baseline, 95) + 3_000));
  // The short greeting timeout, not the 15 s mail timeout, ended each hung sync.
  expect(runs.longest).toBeLessThan(MAIL_TIMEOUT_MS - 1_000);
  // The circuit opened: the mailboxes waiting for their turn say why.
  expect(statuses.find((s) => s.code === "host_unresponsive")?.n ?? 0).toBeGreaterThan(0);
  const [circuit] = await t.db.execute<{ trips: number }>(sql`select trips from host_circuits where host = ${`127.0.0.1:${silent.port}`}`);
  expect(circuit?.trips ?? 0).toBeGreaterThanOrEqual(1);
  // Its profile's owner was told once, not once per mailbox.
  const [{ n: alerted }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from alerts where dedup_key = ${`incoming:host_unresponsive:${hungProfile}`}`);
  expect(alerted).toBe(1);
  // At most one probe at a time after it opened: far fewer timeouts than one per mailbox per wave.
  expect(runs.timeouts).toBeLessThan(Math.max(HUNG, 24));
}, 300_000);
