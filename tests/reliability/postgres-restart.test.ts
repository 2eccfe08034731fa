// Postgres restarted in the middle of a sync: the test runs its own embedded Postgres so it
// can stop and start it on the same port. Workers reconnect, nothing is lost, nothing is
// stored twice. A sync that was writing when the database went away cannot record its own
// failure; its mailbox waits for its lease to run out (5 minutes), which the test makes
// happen at once (as the time passing would) and reports.
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { createDb, type Db } from "../../db/client";
import { startEmbeddedPostgres, freePort, tempDataDir, type EmbeddedHandle } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { createTestPki } from "../harness/tls";
import { insertMailbox, insertProfile, insertUser, storedCounts, testMessage } from "../integration/sync/sync-fixtures";
import { waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { count, figure, sleep, startNamedWorker } from "./support/fault-kit";

const MESSAGES = 1000;
const RESTARTS = Number(process.env.MAILROOM_PG_RESTARTS) || count(2, 5);
const DOWN_MS = 3_000;

const pki = createTestPki();
const secretKey = generateSecretKey("pgr");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let dir: string;
let port: number;
let pg: EmbeddedHandle | undefined;
let client: { db: Db; close: () => Promise<void> } | undefined;
let dovecot: Dovecot;
const workers: Array<{ id: string; proc: WorkerProcess }> = [];
beforeAll(async () => {
  dir = tempDataDir("mailroom-pg-restart-");
  port = await freePort();
  [pg, dovecot] = await Promise.all([startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port }), startDovecot({ pki })]);
  await runMigrations(pg.url);
  client = createDb(pg.url, { max: 2 });
}, 180_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.proc.stop()));
  await client?.close().catch(() => {});
  await pg?.stop().catch(() => {});
  await dovecot?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

test(`Postgres restarted ${RESTARTS}× mid-sync: workers reconnect, 0 lost, 0 stored twice`, async () => {
  const db = client!.db;
  const ownerId = await insertUser(db);
  const boxes: string[] = [];
  for (const [name, protocol] of [["pg-imaps", "imap"], ["pg-pop3s", "pop3"]] as const) {
    await dovecot.addUser(name, `${name}-pw`);
    await dovecot.deliverMany(name, Array.from({ length: MESSAGES }, (_, i) => testMessage(i, { tag: name, body: `Message ${i}\r\n${"Restart text. ".repeat(80)}` })));
    const profileId = await insertProfile(db, { dovecot, protocol, ownerId });
    boxes.push(await insertMailbox(db, { profileId, ownerId, user: name, password: `${name}-pw` }));
  }
  const total = async () => (await db.execute<{ n: number }>(sql`select count(*)::int as n from emails`))[0].n;
  for (let i = 0; i < 2; i++) workers.push(await startNamedWorker({ databaseUrl: pg!.url, secretKey, caFile: pki.caFile }));

  const restartsAt: number[] = [];
  let leaseExpiries = 0;
  for (let r = 0; r < RESTARTS; r++) {
    const before = restartsAt.length ? restartsAt[restartsAt.length - 1] : 0;
    await waitFor("progress before a restart", async () => (await total()) >= before + 150, 120_000);
    restartsAt.push(await total());
    await pg!.stop();
    await sleep(DOWN_MS);
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port });
    // A sync that lost the database mid-write keeps its lease; after 20 s with no progress,
    // let the leases run out as 5 minutes would.
    const at = await retry(total);
    await sleep(20_000);
    if ((await total()) === at && at < MESSAGES * 2) {
      const expired = await db.execute(sql`update mailboxes set lease_expires_at = now() - interval '1 second' where lease_owner is not null and lease_expires_at > now() returning id`);
      await db.execute(sql`update connection_slots set expires_at = now() - interval '1 second'`);
      leaseExpiries += expired.length;
    }
  }
  const deadline = Date.now() + 240_000;
  while ((await retry(total)) < MESSAGES * 2 && Date.now() < deadline && workers.some((w) => w.proc.child.exitCode === null)) {
    await sleep(20_000);
    // Same rule as above for a restart that landed in a write.
    const stuck = await db.execute(sql`update mailboxes set lease_expires_at = now() - interval '1 second'
      where lease_owner is not null and lease_expires_at > now() and updated_at < now() - interval '20 seconds' returning id`);
    leaseExpiries += stuck.length;
  }
  const alive = workers.filter((w) => w.proc.child.exitCode === null).length;
  const counts = await Promise.all(boxes.map((id) => storedCounts(db, id)));
  figure("postgres-restart", `${restartsAt.length} restarts of Postgres (down ${DOWN_MS / 1000} s each, at ${restartsAt.join(", ")} of ${MESSAGES * 2} stored); workers alive after: ${alive}/2; ` +
    `IMAPS ${counts[0].rows} rows / ${counts[0].ids} Message-IDs, POP3S ${counts[1].rows} / ${counts[1].ids}; leases left to run out: ${leaseExpiries}`);
  expect(alive, `no worker died with the database; their last words:\n${workers.map((w) => w.proc.output().slice(-1500)).join("\n---\n")}`).toBe(2);
  for (const c of counts) expect(c).toEqual({ rows: MESSAGES, ids: MESSAGES, sources: MESSAGES });
}, 600_000);

/** Runs `f`, retrying for a few seconds while the database is starting. */
async function retry<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (err) {
      if (i > 40) throw err;
      await sleep(250);
    }
  }
}
