// One broken mailbox among 50 healthy ones does not slow the healthy ones down: the lag from
// "due" to "new message stored" is measured for the 50 with the broken one disabled, then
// with it enabled and due again the moment it is released (a server that stalls mid-FETCH,
// so each of its syncs holds a worker lane until the socket timeout).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { createTestDb, type TestDb } from "../harness/db";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { createTestPki } from "../harness/tls";
import { insertMailbox, insertProfile, insertUser, testMessage } from "../integration/sync/sync-fixtures";
import { waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { count, figure, sleep, startNamedWorker } from "./support/fault-kit";
import { fmt, measureLag, percentile, type Healthy } from "./support/lag";
import { startStallingProxy } from "./support/stalling-proxy";

const HEALTHY = 50;
const ROUNDS = count(3, 10);
const TIMEOUT_MS = 4_000;

const pki = createTestPki();
const secretKey = generateSecretKey("fifty");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let t: TestDb;
let dovecot: Dovecot;
const workers: WorkerProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
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

test(`1 broken mailbox among ${HEALTHY} healthy ones: the healthy ones' lag is unchanged`, async () => {
  const ownerId = await insertUser(t.db);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const healthy: Healthy[] = [];
  for (let i = 0; i < HEALTHY; i++) {
    const user = `fifty${i}`;
    await dovecot.addUser(user, `${user}-pw`);
    await dovecot.deliverMany(user, Array.from({ length: 5 }, (_, k) => testMessage(k, { tag: user })));
    healthy.push({ id: await insertMailbox(t.db, { profileId, ownerId, user, password: `${user}-pw` }), user });
  }
  await dovecot.addUser("broken", "broken-pw");
  await dovecot.deliverMany("broken", Array.from({ length: 3 }, (_, k) => testMessage(k, { tag: "broken", body: "y".repeat(300_000) })));
  const stall = await startStallingProxy({ host: "127.0.0.1", port: dovecot.ports.imaps }, 40_000);
  cleanups.push(stall.stop);
  const brokenId = await insertMailbox(t.db, { profileId: await insertProfile(t.db, { dovecot, protocol: "imap", ownerId, port: stall.port }), ownerId, user: "broken", password: "broken-pw" });
  await t.db.execute(sql`update mailboxes set incoming_enabled = false where id = ${brokenId}`);

  for (let i = 0; i < 2; i++) workers.push((await startNamedWorker({ databaseUrl: t.url, secretKey, caFile: pki.caFile, extra: { MAILROOM_MAIL_TIMEOUT_MS: String(TIMEOUT_MS) } })).proc);
  await waitFor("the first sync of all healthy mailboxes", async () => {
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from emails`);
    return n >= HEALTHY * 5;
  }, 180_000);

  const rounds = async () => {
    const lags: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      lags.push(...(await measureLag(t.db, dovecot, healthy)));
      await sleep(500);
    }
    return lags;
  };
  const without = await rounds();

  // The broken mailbox joins, and is due again whenever it is released.
  let keepDue = true;
  const pump = (async () => {
    while (keepDue) {
      await t.db.execute(sql`update mailboxes set incoming_enabled = true, next_sync_at = now() where id = ${brokenId} and lease_owner is null`);
      await sleep(200);
    }
  })();
  await waitFor("the broken mailbox to stall", async () => stall.stalled > 0, 60_000);
  const withBroken = await rounds();
  keepDue = false;
  await pump;
  const [broken] = await t.db.execute<{ failures: number; code: string | null }>(sql`select consecutive_failures as failures, last_error_code as code from mailboxes where id = ${brokenId}`);

  const p = (xs: number[]) => `p50 ${fmt(percentile(xs, 50))}, p95 ${fmt(percentile(xs, 95))}, max ${fmt(Math.max(...xs))}`;
  figure("one-broken-of-fifty", `${HEALTHY} healthy IMAPS mailboxes, 2 workers, ${ROUNDS} rounds each: lag without the broken one ${p(without)}; with it ${p(withBroken)}; ` +
    `broken mailbox: ${stall.stalled} stalled FETCHes, ${broken.failures} failures in a row (${broken.code})`);
  expect(stall.stalled).toBeGreaterThanOrEqual(1);
  // Unchanged: the p95 may move by scheduling noise, not by a held lane.
  expect(percentile(withBroken, 95)).toBeLessThanOrEqual(percentile(without, 95) * 1.5 + 1_500);
  expect(percentile(withBroken, 50)).toBeLessThanOrEqual(percentile(without, 50) * 1.5 + 1_000);
}, 480_000);
