// Crash safety of incoming sync, measured with real worker processes: kill -9 at random
// moments while three mailboxes (IMAP with STARTTLS, IMAPS, POP3S) ingest, then count what
// the database holds. SPEC §4 "Crash safety": no mail lost, no message stored twice.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { createTestDb, type TestDb } from "../harness/db";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { createTestPki } from "../harness/tls";
import { insertMailbox, insertProfile, insertUser, storedCounts, testMessage } from "../integration/sync/sync-fixtures";
import { waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { count, expireLeasesOf, faultSeed, figure, seededRandom, sleep, startNamedWorker, type WorkerEnv } from "./support/fault-kit";

const MESSAGES = count(Number(process.env.MAILROOM_KILL_MESSAGES) || 1000, 1000);
const KILLS = count(5, 20);

const pki = createTestPki();
const secretKey = generateSecretKey("rel");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let t: TestDb;
let dovecot: Dovecot;
const live: Array<{ id: string; proc: WorkerProcess }> = [];
beforeAll(async () => {
  [t, dovecot] = await Promise.all([createTestDb(), startDovecot({ pki })]);
});
afterAll(async () => {
  await Promise.all(live.splice(0).map((w) => w.proc.stop()));
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

test(`${KILLS} kill -9s of a worker while IMAP, IMAPS and POP3S mailboxes ingest rounds of ${MESSAGES} messages each: 0 lost, 0 stored twice`, async () => {
  const random = seededRandom(faultSeed);
  const ownerId = await insertUser(t.db);
  const kinds = [
    { name: "imap", protocol: "imap" as const, tls: false },
    { name: "imaps", protocol: "imap" as const, tls: true },
    { name: "pop3s", protocol: "pop3" as const, tls: true },
  ];
  const boxes: Array<{ kind: string; id: string; user: string }> = [];
  for (const k of kinds) {
    const user = `kill-${k.name}`;
    await dovecot.addUser(user, `${user}-pw`);
    const profileId = await insertProfile(t.db, { dovecot, protocol: k.protocol, tls: k.tls, ownerId });
    boxes.push({ kind: k.name, user, id: await insertMailbox(t.db, { profileId, ownerId, user, password: `${user}-pw` }) });
  }
  // Mail arrives in rounds of MESSAGES per mailbox; a new round comes when the last one is in
  // and kills remain, so every kill lands while mail is being ingested.
  let delivered = 0;
  const deliverRound = async () => {
    for (const box of boxes) {
      await dovecot.deliverMany(box.user, Array.from({ length: MESSAGES }, (_, i) => testMessage(delivered + i, { tag: box.user, body: `Message ${delivered + i} of ${box.user}\r\n${"Crash-safe ingest. ".repeat(60)}\r\n` })));
    }
    delivered += MESSAGES;
    // As the polling interval coming round would.
    await t.db.execute(sql`update mailboxes set next_sync_at = now() where lease_owner is null and incoming_enabled`);
  };
  await deliverRound();
  const total = async () => {
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from emails`);
    return n;
  };
  const env: WorkerEnv = { databaseUrl: t.url, secretKey, caFile: pki.caFile };
  const started = Date.now();
  live.push(await startNamedWorker(env), await startNamedWorker(env));

  // Kill at random moments while mail is coming in: once some mail of the round is stored,
  // every random 0.1–1 s kill -9 a random live worker, let its leases run out (as 5 minutes
  // would), and start a replacement; a kill may land in a download, a parse or a commit.
  const killedAt: number[] = [];
  await waitFor("the first stored batch", async () => (await total()) > 0, 60_000);
  while (killedAt.length < KILLS) {
    await sleep(100 + random() * 900);
    const stored = await total();
    if (stored >= delivered * kinds.length) {
      await deliverRound();
      await waitFor("the new round to start arriving", async () => (await total()) > stored, 60_000);
      continue;
    }
    const victim = live.splice(Math.floor(random() * live.length), 1)[0];
    victim.proc.kill9();
    expect((await victim.proc.exited).signal).toBe("SIGKILL");
    killedAt.push(stored);
    await expireLeasesOf(t.db, victim.id);
    live.push(await startNamedWorker(env));
  }

  await waitFor("every mailbox to hold all its mail", async () => (await total()) >= delivered * kinds.length, 240_000);
  // Let in-flight syncs settle, then count again: nothing may arrive twice late.
  await waitFor("every lease released", async () => {
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from mailboxes where lease_owner is not null and lease_expires_at > now()`);
    return n === 0;
  }, 60_000);
  const seconds = (Date.now() - started) / 1000;
  const results: Record<string, Awaited<ReturnType<typeof storedCounts>>> = {};
  for (const b of boxes) results[b.kind] = await storedCounts(t.db, b.id);
  figure("kill-ingest", `seed ${faultSeed}; ${killedAt.length} kill -9s during ingest (at ${killedAt.join(", ")} stored, of ${delivered * kinds.length} delivered in ${delivered / MESSAGES} rounds); ` +
    `${kinds.map((k) => `${k.name} ${results[k.name].rows}/${delivered} rows, ${results[k.name].keys} distinct keys, ${results[k.name].ids} distinct Message-IDs`).join("; ")}; ${seconds.toFixed(1)} s`);
  expect(killedAt.length).toBe(KILLS);
  for (const k of kinds) expect(results[k.name], k.name).toEqual({ rows: delivered, keys: delivered, ids: delivered, sources: delivered });
  // Every Message-ID delivered is there (none lost, not just the right count).
  const [{ missing }] = await t.db.execute<{ missing: number }>(sql`
    select count(*)::int as missing from generate_series(0, ${delivered - 1}) i cross join (values ('kill-imap'), ('kill-imaps'), ('kill-pop3s')) u(tag)
     where not exists (select 1 from emails e where e.message_id in ('<' || u.tag || '.' || i || '@example.org>', u.tag || '.' || i || '@example.org'))`);
  expect(missing).toBe(0);
}, 420_000);
