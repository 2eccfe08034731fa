// The real worker (tsx workers/index.ts) as child processes: throughput and memory
// of a first sync, kill -9 half-way through, and the connection budget across two workers.
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createTestDb, type TestDb } from "../../harness/db";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { startCountingProxy } from "../../harness/tcp";
import { createTestPki } from "../../harness/tls";
import { insertMailbox, insertProfile, insertUser, storedCounts, testMessage } from "./sync-fixtures";
import { startWorker, waitFor, type WorkerProcess } from "./worker-process";

const pki = createTestPki();
const secretKey = generateSecretKey("test");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  [t, dovecot] = await Promise.all([createTestDb(), startDovecot({ pki })]);
  ownerId = await insertUser(t.db);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

async function worker(): Promise<WorkerProcess> {
  const w = await startWorker({ DATABASE_URL: t.url, MAILROOM_SECRET_KEY: secretKey, MAILROOM_EXTRA_CA_FILE: pki.caFile, LOG_LEVEL: "info" });
  workers.push(w);
  return w;
}

const mailboxRow = async (id: string) => (await t.db.select().from(mailboxes).where(eq(mailboxes.id, id)))[0];

test("a worker process syncs 1,000 messages over IMAPS exactly once (throughput and peak memory measured)", async () => {
  await dovecot.addUser("speed", "speed-pw");
  await dovecot.deliverMany("speed", Array.from({ length: 1000 }, (_, i) => testMessage(i, { tag: "speed", body: `Message ${i}\r\n`.concat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n".repeat(40)) })));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "speed", password: "speed-pw" });
  await t.db.update(mailboxes).set({ nextSyncAt: new Date(Date.now() + 3600_000) }).where(eq(mailboxes.id, mailboxId));

  const w = await worker();
  await new Promise((r) => setTimeout(r, 1_500)); // a few idle passes
  const idleMb = w.peakRssKb() / 1024;
  const started = Date.now();
  await t.db.update(mailboxes).set({ nextSyncAt: new Date() }).where(eq(mailboxes.id, mailboxId));
  await waitFor("the first sync", async () => (await mailboxRow(mailboxId)).lastSyncAt !== null);
  const seconds = (Date.now() - started) / 1000;
  const rssMb = w.peakRssKb() / 1024;
  console.log(`worker process, IMAPS first sync of 1000 messages (~2.5 KB each): ${seconds.toFixed(2)} s = ${Math.round(1000 / seconds)} messages/s; worker peak RSS ${rssMb.toFixed(0)} MB (${idleMb.toFixed(0)} MB idle before the sync)`);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 1000, ids: 1000, sources: 1000 });
  expect(rssMb).toBeLessThan(400);
});

test("kill -9 of a worker in the middle of ingesting 1,000 messages: another worker takes over when the lease expires and stores exactly 1,000, none twice", async () => {
  await dovecot.addUser("crash", "crash-pw");
  await dovecot.deliverMany("crash", Array.from({ length: 1000 }, (_, i) => testMessage(i, { tag: "crash" })));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "crash", password: "crash-pw" });

  const first = await worker();
  await waitFor("some messages stored", async () => (await storedCounts(t.db, mailboxId)).rows >= 200, 30_000);
  first.kill9();
  expect((await first.exited).signal).toBe("SIGKILL");
  const atCrash = await storedCounts(t.db, mailboxId);
  expect(atCrash.rows).toBeGreaterThanOrEqual(200);
  expect(atCrash.rows).toBeLessThan(1000);
  // The dead worker still holds the mailbox's lease and a connection slot; a second worker cannot
  // take the mailbox before they expire. Expire them now instead of waiting out the 5-minute lease.
  const held = await mailboxRow(mailboxId);
  expect(held.leaseOwner).toMatch(/:\d+$/);
  expect(held.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now());
  await t.db.execute(sql`update mailboxes set lease_expires_at = now() - interval '1 second' where id = ${mailboxId}`);
  await t.db.execute(sql`update connection_slots set expires_at = now() - interval '1 second'`);

  await worker();
  await worker();
  await waitFor("the sync to finish", async () => (await mailboxRow(mailboxId)).lastSyncAt !== null, 30_000);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 1000, ids: 1000, sources: 1000 });
  expect(await mailboxRow(mailboxId)).toMatchObject({ imapLastUid: 1000, syncProgressDone: 1000, syncProgressTotal: 1000, leaseOwner: null });
});

test("connection budget: 10 mailboxes sharing a profile's credentials with at most 2 connections never open more than 2 at once across two workers, and all sync", async () => {
  await dovecot.addUser("shared", "shared-pw");
  await dovecot.deliverMany("shared", Array.from({ length: 50 }, (_, i) => testMessage(i, { tag: "shared" })));
  const proxy = await startCountingProxy({ host: "127.0.0.1", port: dovecot.ports.imaps });
  try {
    const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId, port: proxy.port, maxConnections: 2, credentials: { user: "shared", password: "shared-pw" } });
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => insertMailbox(t.db, { profileId, ownerId, name: `Shared ${i}` })));
    await Promise.all([worker(), worker()]);
    await waitFor("all 10 mailboxes to sync", async () => {
      const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from mailboxes where profile_id = ${profileId} and last_sync_at is not null`);
      return n === 10;
    }, 90_000);
    expect(proxy.maxConcurrent).toBeGreaterThanOrEqual(1);
    expect(proxy.maxConcurrent).toBeLessThanOrEqual(2);
    for (const id of ids) expect(await storedCounts(t.db, id)).toEqual({ rows: 50, ids: 50, sources: 50 });
    // Waiting for a slot is not an error.
    const [{ failures }] = await t.db.execute<{ failures: number }>(sql`select coalesce(sum(consecutive_failures), 0)::int as failures from mailboxes where profile_id = ${profileId}`);
    expect(failures).toBe(0);
  } finally {
    await proxy.stop();
  }
});
