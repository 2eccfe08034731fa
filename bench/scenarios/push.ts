import { sql } from "drizzle-orm";
import { startDovecot, type Dovecot } from "../../tests/harness/dovecot";
import { mbsyncFor } from "../lib/mbsync";
import { startBenchWorker, type BenchWorker } from "../lib/procs";
import { insertIncomingProfile, insertMailboxes, insertUser, installSyncProbe } from "../lib/rows";
import { workerEnv, type BenchContext, type Scenario } from "../lib/scenario";
import type { BenchDb } from "../lib/services";
import { percentile, round, sleep, waitUntil } from "../lib/stats";

const message = (tag: string, i: number) =>
  `From: a${i}@example.org\r\nTo: someone@example.com\r\nSubject: ${tag} ${i}\r\nMessage-ID: <${tag}.${i}@example.org>\r\nDate: Thu, 01 Jan 2026 00:00:00 +0000\r\n\r\nHello ${i}.\r\n`;

/**
 * New mail in seconds (issue 15). Part 1, a polled mailbox (push off): "due → stored" of an
 * unchanged poll and of a poll that finds 20 new messages, against mbsync (Debian isync,
 * fsync on, its own Maildir) pulling the same Dovecot mailbox, runs interleaved. Part 2,
 * push: N mailboxes on one Dovecot configured for N held sessions, two workers sharing them;
 * how long until all are held, the workers' memory per held session, "delivery → stored"
 * of mail delivered to random mailboxes, and a Dovecot restart under all the sessions
 * (back within, none lost, none twice), and (full runs) a kill -9 of one worker: how long until
 * the other holds its sessions, mail delivered meanwhile stored once. BENCH_PUSH_SESSIONS sets
 * N (default 1,000; 0: the polls only). The polls run twice: with the connection kept between polls
 * (MAILROOM_KEPT_CONNECTIONS, the default) and with every poll connecting afresh, each against mbsync.
 */
export const push: Scenario = {
  name: "push",
  async run(ctx) {
    const sessions = ctx.quick ? 20 : Number(process.env.BENCH_PUSH_SESSIONS ?? 1000);
    const dovecot = await startDovecot({ pki: ctx.pki, sessions: sessions + 50 });
    const bench = await ctx.pg.freshDb("push");
    const workers: BenchWorker[] = [];
    const notes: string[] = [];
    try {
      const owner = await insertUser(bench.db);
      await installSyncProbe(bench.db);
      // Polls with the connection kept between them (the default), then with every poll connecting afresh, each against mbsync.
      const poll = await pollVsMbsync(ctx, dovecot, bench, owner.id, workers, notes, { kept: true });
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      const fresh = await pollVsMbsync(ctx, dovecot, bench, owner.id, workers, notes, { kept: false });
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      const pollSummary =
        `poll due → stored p50 unchanged ${poll.mailroom.unchanged.p50} ms / +20 ${poll.mailroom.plus20.p50} ms` +
        (poll.mbsync ? ` (mbsync ${poll.mbsync.unchanged.p50} / ${poll.mbsync.plus20.p50} ms)` : " (mbsync not installed)") +
        `; without kept connections ${fresh.mailroom.unchanged.p50} / ${fresh.mailroom.plus20.p50} ms` +
        (fresh.mbsync ? ` (mbsync ${fresh.mbsync.unchanged.p50} / ${fresh.mbsync.plus20.p50} ms)` : "");
      const pollMet = poll.mbsync === null || (poll.mailroom.unchanged.p50 <= poll.mbsync.unchanged.p50 && poll.mailroom.plus20.p50 <= poll.mbsync.plus20.p50);
      if (sessions === 0) {
        // BENCH_PUSH_SESSIONS=0: the polls only.
        return { name: "push", target: "unchanged poll and +20 ≤ mbsync", value: poll.mailroom.unchanged.p50, met: pollMet, summary: pollSummary, figures: { poll, fresh }, notes };
      }
      const idle = await pushAtScale(ctx, dovecot, bench, owner.id, sessions, workers);
      const met = idle.heldAll === sessions && idle.latencyMs.p95 <= 2000 && pollMet;
      return {
        name: "push",
        target: "IDLE delivery → stored p95 ≤ 2 s for 1,000 sessions; unchanged poll and +20 ≤ mbsync",
        value: round(idle.latencyMs.p95 / 1000, 3),
        met,
        summary:
          pollSummary +
          `; push ${idle.heldAll}/${sessions} held in ${idle.holdAllSeconds} s, ${idle.kbPerSession} KB/session, delivery → stored p50 ${idle.latencyMs.p50} / p95 ${idle.latencyMs.p95} ms; Dovecot restart: back in ${idle.restart.backSeconds} s, lost ${idle.restart.lost}, twice ${idle.restart.twice}` +
          (idle.kill ? `; kill -9 of a worker holding ${idle.kill.sessions}: ${idle.kill.taken} taken over in ${idle.kill.takeoverSeconds} s, lost ${idle.kill.lost}, twice ${idle.kill.twice}` : ""),
        figures: { poll, fresh, idle },
        notes: [
          ...notes,
          "poll: due = next_sync_at set to clock_timestamp(); stored = the probe's clock_timestamp() when last_sync_at changes (the sync's commit); mbsync: process start → exit of `mbsync <channel>` (fsync on)",
          "push: delivery = the maildir file written; stored = emails.stored_at (the storing transaction's start); memory = workers' RSS after all sessions are held − before, ÷ sessions",
        ],
      };
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await dovecot.destroy();
      await bench.close();
    }
  },
};

type Stats = { p50: number; p95: number; max: number; n: number };
const stats = (xs: number[]): Stats => ({ p50: round(percentile(xs, 50), 1), p95: round(percentile(xs, 95), 1), max: round(Math.max(...xs), 1), n: xs.length });

async function pollVsMbsync(ctx: BenchContext, dovecot: Dovecot, bench: BenchDb, ownerId: string, workers: BenchWorker[], notes: string[], o: { kept: boolean }) {
  const rounds = ctx.quick ? 4 : 15;
  const user = o.kept ? "poll" : "pollfresh";
  await dovecot.addUser(user, "pw-poll");
  await dovecot.deliverMany(user, Array.from({ length: 100 }, (_, i) => message("base", i)));
  const profileId = await insertIncomingProfile(bench.db, { ownerId, protocol: "imap", port: dovecot.ports.imaps, intervalMinutes: 60 });
  await bench.db.execute(sql`update profiles set push_enabled = false where id = ${profileId}`);
  const [mailboxId] = await insertMailboxes(bench.db, [{ profileId, ownerId, user, password: "pw-poll", nextSyncAt: new Date() }]);
  workers.push(await startBenchWorker(workerEnv(ctx, bench.url, { MAILROOM_WORKER_ID: `bench-${user}`, MAILROOM_PUSH_SESSIONS: "0", MAILROOM_KEPT_CONNECTIONS: o.kept ? "100" : "0" })));
  await waitUntil("the first sync", async () => (await bench.db.execute(sql`select 1 from mailboxes where id = ${mailboxId} and last_sync_at is not null`)).length > 0, 60_000);

  const mailroomPoll = async (): Promise<number> => {
    const [{ due }] = await bench.db.execute<{ due: string }>(sql`update mailboxes set next_sync_at = clock_timestamp() where id = ${mailboxId} returning next_sync_at as due`);
    let at = 0;
    await waitUntil("the poll", async () => {
      const rows = await bench.db.execute<{ at: string }>(sql`select at from bench_events where mailbox_id = ${mailboxId} and kind = 'synced' and at > ${due}::timestamptz order by at limit 1`);
      if (rows.length) at = new Date(rows[0].at).getTime();
      return rows.length > 0;
    }, 30_000, 5);
    return at - new Date(due).getTime();
  };

  const mbsync = await mbsyncFor(dovecot, ctx.pki.caFile, user, "pw-poll");
  if (!mbsync && o.kept) notes.push("mbsync (Debian isync) is not installed: the peer column is empty");
  await mbsync?.run(); // its first sync
  const m = { unchanged: [] as number[], plus20: [] as number[] };
  const b = { unchanged: [] as number[], plus20: [] as number[] };
  let tag = 0;
  for (let r = 0; r < rounds; r++) {
    await sleep(100 + Math.random() * 300);
    m.unchanged.push(await mailroomPoll());
    if (mbsync) b.unchanged.push(await mbsync.run());
    await dovecot.deliverMany(user, Array.from({ length: 20 }, (_, i) => message(`m${++tag}`, i)));
    m.plus20.push(await mailroomPoll());
    if (mbsync) {
      await dovecot.deliverMany(user, Array.from({ length: 20 }, (_, i) => message(`b${tag}`, i)));
      b.plus20.push(await mbsync.run());
      // Mailroom's next +20 poll must not also find mbsync's 20: it stores them in an unmeasured poll.
      await mailroomPoll();
    }
  }
  const [{ stored }] = await bench.db.execute<{ stored: number }>(sql`select count(*)::int as stored from emails where mailbox_id = ${mailboxId}`);
  mbsync?.cleanup();
  return {
    rounds,
    mailroom: { unchanged: stats(m.unchanged), plus20: stats(m.plus20), stored },
    mbsync: mbsync ? { unchanged: stats(b.unchanged), plus20: stats(b.plus20) } : null,
  };
}

async function pushAtScale(ctx: BenchContext, dovecot: Dovecot, bench: BenchDb, ownerId: string, n: number, workers: BenchWorker[]) {
  ctx.log(`push: ${n} Dovecot logins`);
  for (let i = 0; i < n; i++) await dovecot.addUser(`p${i}`, `pw${i}`);
  const profileId = await insertIncomingProfile(bench.db, { ownerId, protocol: "imap", port: dovecot.ports.imaps, intervalMinutes: 60 });
  const ids = await insertMailboxes(bench.db, Array.from({ length: n }, (_, i) => ({ profileId, ownerId, user: `p${i}`, password: `pw${i}` })));
  const env = { MAILROOM_PUSH_SESSIONS: String(n) };
  workers.push(await startBenchWorker(workerEnv(ctx, bench.url, { ...env, MAILROOM_WORKER_ID: "bench-push-a" })));
  workers.push(await startBenchWorker(workerEnv(ctx, bench.url, { ...env, MAILROOM_WORKER_ID: "bench-push-b" })));
  await sleep(3000);
  const rssBefore = workers.map((w) => w.memory().rss);
  // As after their first sync: pushable now.
  const t0 = Date.now();
  await bench.db.execute(sql`update mailboxes set synced_from = '2000-01-01' where profile_id = ${profileId}`);
  const heldCount = async () => (await bench.db.execute<{ n: number }>(sql`select count(*)::int as n from mailboxes where profile_id = ${profileId} and push_connected_at is not null and lease_expires_at > now()`))[0].n;
  let heldAll = 0;
  await waitUntil(`${n} sessions held`, async () => (heldAll = await heldCount()) === n, ctx.quick ? 60_000 : 300_000, 500).catch((err) => ctx.log(`push: ${(err as Error).message} (${heldAll} held)`));
  const holdAllSeconds = round((Date.now() - t0) / 1000, 1);
  const perWorker = await bench.db.execute<{ owner: string; n: number }>(sql`select lease_owner as owner, count(*)::int as n from mailboxes where profile_id = ${profileId} and push_connected_at is not null group by 1 order by 1`);
  await sleep(ctx.quick ? 2000 : 15_000); // settle (and let Dovecot hibernate the idle sessions)
  const rssAfter = workers.map((w) => w.memory().rss);
  const kbPerSession = round((rssAfter.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0)) / 1024 / Math.max(1, heldAll), 1);
  ctx.log(`push: ${heldAll} held in ${holdAllSeconds} s; ${kbPerSession} KB per session`);

  // Deliveries to random mailboxes at a steady rate.
  const deliveries = ctx.quick ? 20 : 300;
  const sent = new Map<string, number>();
  for (let i = 0; i < deliveries; i++) {
    const k = Math.floor(Math.random() * n);
    const id = `d${i}.p${k}`;
    sent.set(`<${id}@example.org>`, Date.now());
    await dovecot.deliver(`p${k}`, message(`d${i}.p${k}`, 0).replace(`<d${i}.p${k}.0@example.org>`, `<${id}@example.org>`));
    await sleep(ctx.quick ? 50 : 40);
  }
  const storedOf = async () => bench.db.execute<{ message_id: string; at: string }>(sql`select message_id, stored_at as at from emails e join mailboxes m on m.id = e.mailbox_id where m.profile_id = ${profileId}`);
  await waitUntil("every delivery stored", async () => (await storedOf()).length >= deliveries, 60_000, 200).catch(() => undefined);
  const rows = await storedOf();
  const latencies = rows.filter((r) => sent.has(r.message_id)).map((r) => new Date(r.at).getTime() - sent.get(r.message_id)!);
  const distinct = new Set(rows.map((r) => r.message_id)).size;

  // Dovecot restarted under every session; mail delivered while it is down must arrive once.
  ctx.log("push: restarting Dovecot under the sessions");
  await dovecot.stop();
  const downDeliveries = Math.min(n, ctx.quick ? 10 : 100);
  for (let i = 0; i < downDeliveries; i++) await dovecot.deliver(`p${i}`, message(`down${i}`, 0));
  await waitUntil("the sessions to notice", async () => (await heldCount()) === 0, 60_000, 500).catch(() => undefined);
  const restartedAt = Date.now();
  await dovecot.start();
  let back = 0;
  await waitUntil("every session back", async () => (back = await heldCount()) === heldAll, 120_000, 500).catch(() => undefined);
  const backSeconds = round((Date.now() - restartedAt) / 1000, 1);
  await waitUntil("the mail delivered while down", async () => (await storedOf()).length >= deliveries + downDeliveries, 60_000, 200).catch(() => undefined);
  const after = await storedOf();
  const expected = deliveries + downDeliveries;
  const distinctAfter = new Set(after.map((r) => r.message_id)).size;
  void ids;

  // kill -9 of one worker (full runs): the other takes its sessions over when their leases expire.
  let kill: { sessions: number; takeoverSeconds: number; taken: number; lost: number; twice: number } | null = null;
  if (!ctx.quick) {
    const victim = workers[0];
    const theirs = (await bench.db.execute<{ id: string; user: string }>(sql`select id, user_name as user from mailboxes where profile_id = ${profileId} and lease_owner = 'bench-push-a' and push_connected_at is not null`)).map((r) => r);
    ctx.log(`push: kill -9 of the worker holding ${theirs.length} sessions`);
    try {
      process.kill(-victim.pid, "SIGKILL");
    } catch {
      // gone
    }
    const killedAt = Date.now();
    const orphanMail = theirs.slice(0, 100);
    for (const [i, m] of orphanMail.entries()) await dovecot.deliver(m.user, message(`orphan${i}`, 0));
    const ids = `{${theirs.map((m) => m.id).join(",")}}`;
    let taken = 0;
    await waitUntil("the other worker holding them", async () => {
      taken = (await bench.db.execute<{ n: number }>(sql`select count(*)::int as n from mailboxes where id = any(${ids}::uuid[]) and lease_owner = 'bench-push-b' and push_connected_at is not null`))[0].n;
      return taken === theirs.length;
    }, 180_000, 500).catch(() => undefined);
    const takeoverSeconds = round((Date.now() - killedAt) / 1000, 1);
    const total = expected + orphanMail.length;
    await waitUntil("the orphans' mail", async () => (await storedOf()).length >= total, 60_000, 200).catch(() => undefined);
    const final = await storedOf();
    const distinctFinal = new Set(final.map((r) => r.message_id)).size;
    kill = { sessions: theirs.length, takeoverSeconds, taken, lost: Math.max(0, total - distinctFinal), twice: final.length - distinctFinal };
    ctx.log(`push: ${taken}/${theirs.length} taken over in ${takeoverSeconds} s`);
  }
  return {
    kill,
    sessions: n,
    heldAll,
    holdAllSeconds,
    perWorker: Object.fromEntries(perWorker.map((r) => [r.owner, r.n])),
    rssMB: { before: rssBefore.map((b) => round(b / 2 ** 20, 1)), after: rssAfter.map((b) => round(b / 2 ** 20, 1)) },
    kbPerSession,
    deliveries,
    stored: rows.length,
    storedTwice: rows.length - distinct,
    latencyMs: stats(latencies),
    restart: { backSeconds, back, lost: Math.max(0, expected - distinctAfter), twice: after.length - distinctAfter },
  };
}
