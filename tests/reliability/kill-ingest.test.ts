// Crash safety of incoming sync, measured with real worker processes: kill -9 at random
// moments while three mailboxes (IMAP with STARTTLS, IMAPS, POP3S) ingest, then count what
// the database holds. SPEC §4 "Crash safety": no mail lost, no message stored twice.
// Each kill is aimed: the victim is a worker holding the lease of a mailbox that is still
// short of the server's count, and the test checks, with the victim frozen and then dead,
// that the kill landed mid-ingest (the lease still the victim's, fewer rows than the server
// holds). The expected counts are the servers' own (IMAP SEARCH ALL, POP3 STAT).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { createTestDb, type TestDb } from "../harness/db";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { createTestPki } from "../harness/tls";
import { insertMailbox, insertProfile, insertUser, storedCounts, testMessage } from "../integration/sync/sync-fixtures";
import { waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { count, expireLeasesOf, faultSeed, figure, incomingLeaseOwners, seededRandom, serverMessageCount, settledIncomingHeldBy, sleep, startNamedWorker, type ServerBox, type WorkerEnv } from "./support/fault-kit";

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

test(`${KILLS} kill -9s, each of a worker caught mid-ingest, while IMAP, IMAPS and POP3S mailboxes ingest rounds of ${MESSAGES} messages each: 0 lost, 0 stored twice`, async () => {
  const random = seededRandom(faultSeed);
  const ownerId = await insertUser(t.db);
  const kinds = [
    { name: "imap", protocol: "imap" as const, tls: false },
    { name: "imaps", protocol: "imap" as const, tls: true },
    { name: "pop3s", protocol: "pop3" as const, tls: true },
  ];
  const boxes: Array<ServerBox & { kind: string }> = [];
  for (const k of kinds) {
    const user = `kill-${k.name}`;
    await dovecot.addUser(user, `${user}-pw`);
    const profileId = await insertProfile(t.db, { dovecot, protocol: k.protocol, tls: k.tls, ownerId });
    boxes.push({ kind: k.name, protocol: k.protocol, user, password: `${user}-pw`, id: await insertMailbox(t.db, { profileId, ownerId, user, password: `${user}-pw` }) });
  }
  const kindOf = (mailboxId: string) => boxes.find((b) => b.id === mailboxId)!.kind;
  // What each mailbox must end up holding: the server's count after each round.
  const expected = new Map<string, number>();
  // Mail arrives in rounds of MESSAGES per mailbox; a new round comes when the last one is in
  // and kills remain, so there is always ingest to kill.
  let delivered = 0;
  const deliverRound = async () => {
    for (const box of boxes) {
      await dovecot.deliverMany(box.user, Array.from({ length: MESSAGES }, (_, i) => testMessage(delivered + i, { tag: box.user, body: `Message ${delivered + i} of ${box.user}\r\n${"Crash-safe ingest. ".repeat(60)}\r\n` })));
      expected.set(box.id, await serverMessageCount(dovecot, box));
    }
    delivered += MESSAGES;
    // As the polling interval coming round would.
    await t.db.execute(sql`update mailboxes set next_sync_at = now() where lease_owner is null and incoming_enabled`);
  };
  await deliverRound();
  const expectedTotal = () => [...expected.values()].reduce((a, b) => a + b, 0);
  const total = async () => {
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from emails`);
    return n;
  };
  const env: WorkerEnv = { databaseUrl: t.url, secretKey, caFile: pki.caFile };
  const started = Date.now();
  live.push(await startNamedWorker(env), await startNamedWorker(env));

  // At random moments (0.1–1 s apart) aim a kill: pick a live worker that holds the lease of a
  // mailbox still short of the server's count, freeze it (SIGSTOP), read what it holds once
  // its last statements have landed, and kill -9 it only if that is still work in flight;
  // otherwise let it run on and try again. Then its leases run out (as 5 minutes would) and a
  // replacement starts. A kill may land in a download, a parse or a commit, never twice
  // without a batch stored in between.
  const kills: string[] = [];
  let misses = 0;
  let storedAtLastKill = 0;
  await waitFor("the first stored batch", async () => (await total()) > 0, 60_000);
  while (kills.length < KILLS) {
    await sleep(100 + random() * 900);
    const stored = await total();
    if (stored >= expectedTotal()) {
      await deliverRound();
      await waitFor("the new round to start arriving", async () => (await total()) > stored, 60_000);
      continue;
    }
    // Not again before a batch has been stored since the last kill, so the kills spread over
    // the ingest (not all in the replacement's first download) and progress is shown between them.
    if (stored <= storedAtLastKill) continue;
    const owners = await incomingLeaseOwners(t.db);
    const busy = live.filter((w) => (owners.get(w.id) ?? []).some((h) => h.stored < expected.get(h.mailboxId)!));
    if (busy.length === 0) continue;
    const victim = busy[Math.floor(random() * busy.length)];
    victim.proc.pause();
    const inFlight = (await settledIncomingHeldBy(t.db, victim.id)).filter((h) => h.stored < expected.get(h.mailboxId)!);
    if (inFlight.length === 0) {
      victim.proc.resume(); // it finished between the look and the freeze
      expect(++misses, "aimed kills that found the worker done").toBeLessThan(KILLS * 5);
      continue;
    }
    live.splice(live.indexOf(victim), 1);
    victim.proc.kill9();
    expect((await victim.proc.exited).signal).toBe("SIGKILL");
    // Landed mid-ingest: the dead worker still owns those leases, and the rows stop short of the server.
    // (A commit the worker sent just before the freeze may still land after the read above on a
    // loaded server, so the counts may have grown; what must hold is that each lease is still the
    // victim's and each mailbox is still short of the server's count.)
    const after = await settledIncomingHeldBy(t.db, victim.id);
    const stillShort = after.filter((h) => h.stored < expected.get(h.mailboxId)!).map((h) => h.mailboxId).sort();
    expect(stillShort, "the victim held the lease of mailboxes with fewer rows than the server when it died").toEqual(inFlight.map((h) => h.mailboxId).sort());
    storedAtLastKill = await total();
    kills.push(inFlight.map((h) => `${kindOf(h.mailboxId)} ${h.stored}/${expected.get(h.mailboxId)}`).join(" + "));
    await expireLeasesOf(t.db, victim.id);
    live.push(await startNamedWorker(env));
  }

  // Until every mailbox holds the server's count. Mailboxes are kept due (as the polling interval
  // would make them), so a mailbox short of mail is always being synced; 30 s without a new row
  // means mail was lost: stop waiting and let the counts below say where.
  let lastCount = -1;
  let lastChange = Date.now();
  await waitFor("every mailbox to hold all its mail", async () => {
    const n = await total();
    if (n >= expectedTotal()) return true;
    if (n !== lastCount) [lastCount, lastChange] = [n, Date.now()];
    await t.db.execute(sql`update mailboxes set next_sync_at = now() where lease_owner is null and incoming_enabled`);
    return Date.now() - lastChange > 30_000;
  }, 240_000);
  // Let in-flight syncs settle, then count again: nothing may arrive twice late.
  await waitFor("every lease released", async () => (await incomingLeaseOwners(t.db)).size === 0, 60_000);
  const seconds = (Date.now() - started) / 1000;
  const results: Record<string, Awaited<ReturnType<typeof storedCounts>>> = {};
  for (const b of boxes) results[b.kind] = await storedCounts(t.db, b.id);
  figure("kill-ingest", `seed ${faultSeed}; ${kills.length} kill -9s, each mid-ingest (victim held: ${kills.join("; ")}), ${misses} aimed kills not fired (the worker had just finished); ` +
    `${delivered * kinds.length} delivered in ${delivered / MESSAGES} rounds; ` +
    `${kinds.map((k) => `${k.name} ${results[k.name].rows}/${expected.get(boxes.find((b) => b.kind === k.name)!.id)} rows, ${results[k.name].ids} distinct Message-IDs`).join("; ")}; ${seconds.toFixed(1)} s`);
  for (const b of boxes) {
    const onServer = await serverMessageCount(dovecot, b);
    expect(onServer, `${b.kind}: the server still holds what was counted`).toBe(expected.get(b.id));
    expect(results[b.kind], b.kind).toEqual({ rows: onServer, ids: onServer, sources: onServer });
  }
  // Every Message-ID delivered is there (none lost, not just the right count).
  const [{ missing }] = await t.db.execute<{ missing: number }>(sql`
    select count(*)::int as missing from generate_series(0, ${delivered - 1}) i cross join (values ('kill-imap'), ('kill-imaps'), ('kill-pop3s')) u(tag)
     where not exists (select 1 from emails e where e.message_id in ('<' || u.tag || '.' || i || '@example.org>', u.tag || '.' || i || '@example.org'))`);
  expect(missing).toBe(0);
}, 420_000);
