import fs from "node:fs";
import { sql } from "drizzle-orm";
import { startDovecot } from "../../tests/harness/dovecot";
import { cpuSecondsOf, pidsByCommand, startBenchWorker, type BenchWorker } from "../lib/procs";
import { insertIncomingProfile, insertMailboxes, insertUser, installSyncProbe, probeEvents } from "../lib/rows";
import { workerEnv, type Scenario } from "../lib/scenario";
import { percentile, round, sleep } from "../lib/stats";

/** Total CPU seconds of the processes in `pids`, including children they reaped (Dovecot's short-lived logins). */
function cpuWithChildren(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      sum += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    } catch {
      // gone
    }
  }
  return sum;
}

/** Busy and total jiffies of the whole machine (/proc/stat), for its overall load during the window. */
function machineJiffies(): { busy: number; total: number } {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - (f[4] ?? 0), total };
}

/**
 * Many mailboxes on a 5-minute interval, two worker processes: how late each sync starts after
 * it is due (lag = claim − next_sync_at), polls per second, and the CPU it costs.
 * Due times of the first round are spread evenly over one interval, as in a steady state.
 */
export const schedule: Scenario = {
  name: "schedule-10k",
  async run(ctx) {
    const mailboxCount = ctx.quick ? 200 : 10_000;
    const intervalMinutes = ctx.quick ? 1 : 5;
    const windowSeconds = ctx.quick ? 20 : 600;
    // The harness rewrites its whole users file per addUser (quadratic), so at 10,000 mailboxes
    // several mailboxes share one login (each still its own mailbox, cursor and connection slot).
    const logins = Math.min(mailboxCount, 2000);
    const perLogin = 3;
    const dovecot = await startDovecot({ pki: ctx.pki });
    const bench = await ctx.pg.freshDb("schedule");
    const workers: BenchWorker[] = [];
    try {
      ctx.log(`schedule-10k: ${logins} Dovecot logins, ${perLogin} messages each`);
      for (let i = 0; i < logins; i++) {
        await dovecot.addUser(`s${i}`, `pw${i}`);
        await dovecot.deliverMany(
          `s${i}`,
          Array.from({ length: perLogin }, (_, k) => `From: a${k}@example.org\r\nTo: s${i}@example.com\r\nSubject: hello ${i}.${k}\r\nMessage-ID: <s${i}.${k}@example.org>\r\nDate: Thu, 01 Jan 2026 00:00:0${k} +0000\r\n\r\nHello ${k}.\r\n`),
        );
      }
      const owner = await insertUser(bench.db);
      const profileId = await insertIncomingProfile(bench.db, { ownerId: owner.id, protocol: "imap", port: dovecot.ports.imaps, intervalMinutes, maxConnections: 10 });
      ctx.log(`schedule-10k: ${mailboxCount} mailboxes`);
      await insertMailboxes(bench.db, Array.from({ length: mailboxCount }, (_, i) => ({ profileId, ownerId: owner.id, user: `s${i % logins}`, password: `pw${i % logins}` })));
      await installSyncProbe(bench.db);
      await bench.db.execute(sql`analyze mailboxes`);
      // Polling is measured here (push has its own scenario, bench/scenarios/push.ts).
      workers.push(await startBenchWorker(workerEnv(ctx, bench.url, { MAILROOM_WORKER_ID: "bench-a", MAILROOM_PUSH_SESSIONS: "0" })));
      workers.push(await startBenchWorker(workerEnv(ctx, bench.url, { MAILROOM_WORKER_ID: "bench-b", MAILROOM_PUSH_SESSIONS: "0" })));
      await sleep(1500);

      // Spread the first round's due times evenly over one interval, starting now.
      const [{ t0 }] = await bench.db.execute<{ t0: string }>(sql`
        with ordered as (select id, row_number() over (order by id) - 1 as k from mailboxes where incoming_enabled)
        update mailboxes m set next_sync_at = clock_timestamp() + (o.k * ${(intervalMinutes * 60_000) / mailboxCount}) * interval '1 millisecond'
          from ordered o where m.id = o.id
        returning (select clock_timestamp()) as t0`);
      const start = new Date(t0).getTime();
      const dovecotPids = () => pidsByCommand((c) => c.startsWith(`dovecot-mr${process.pid}x`) || (c.includes("dovecot") && c.includes(" -F -c ") && c.includes("mailroom-dovecot-")));
      const pgPids = async () => (await bench.db.execute<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database()`)).map((r) => r.pid);
      const pgStart = new Map((await pgPids()).map((p) => [p, cpuSecondsOf(p)]));
      const workersStart = workers.map((w) => w.cpuSeconds());
      const dovecotStart = cpuWithChildren(dovecotPids());
      const machineStart = machineJiffies();
      ctx.log(`schedule-10k: measuring for ${windowSeconds} s`);
      await sleep(windowSeconds * 1000);
      const end = Date.now();
      const workersCpu = workers.map((w, i) => w.cpuSeconds() - workersStart[i]);
      let pgCpu = 0;
      for (const pid of await pgPids()) pgCpu += cpuSecondsOf(pid) - (pgStart.get(pid) ?? 0);
      const dovecotCpu = cpuWithChildren(dovecotPids()) - dovecotStart;
      const machineEnd = machineJiffies();

      const events = await probeEvents(bench.db);
      const claims = events.filter((e) => e.kind === "claim" && e.due && e.due.getTime() >= start - 1000 && e.at.getTime() <= end);
      const lags = claims.map((e) => (e.at.getTime() - e.due!.getTime()) / 1000);
      // Mailboxes due in the window but never claimed count with the lag each had reached at the end.
      const claimedLags = [...lags];
      const overdueRows = await bench.db.execute<{ due: string }>(
        sql`select next_sync_at as due from mailboxes where next_sync_at <= to_timestamp(${end / 1000}) and lease_owner is null`,
      );
      const overdue = overdueRows.length;
      for (const r of overdueRows) lags.push(Math.max(0, (end - new Date(r.due).getTime()) / 1000));
      const synced = events.filter((e) => e.kind === "synced" && e.at.getTime() >= start && e.at.getTime() <= end).length;
      const [{ failures }] = await bench.db.execute<{ failures: number }>(sql`select count(*)::int as failures from mailboxes where consecutive_failures > 0`);
      const [{ stored }] = await bench.db.execute<{ stored: number }>(sql`select count(*)::int as stored from emails`);
      const p50 = percentile(lags, 50);
      const p99 = percentile(lags, 99);
      const pollsPerSecond = synced / windowSeconds;
      const cpuPerSync = (workersCpu.reduce((a, b) => a + b, 0) + pgCpu + dovecotCpu) / Math.max(1, synced);
      // Capacity estimate: the machine's cores spent on syncs alone, at the cost per sync measured here.
      const capacityMailboxes = Math.round((2 / cpuPerSync) * intervalMinutes * 60);
      const met = p99 <= 5;
      return {
        name: "schedule-10k",
        target: "lag p99 ≤ 5 s",
        value: round(p99, 2),
        met,
        summary: `${mailboxCount} mailboxes / ${intervalMinutes} min, ${windowSeconds} s: lag p50 ${round(p50, 2)} s, p99 ${round(p99, 2)} s, ${round(pollsPerSecond, 1)} polls/s`,
        figures: {
          mailboxes: mailboxCount,
          dovecotLogins: logins,
          intervalMinutes,
          windowSeconds,
          claimsMeasured: claims.length,
          neverClaimedWhileDue: overdue,
          lagSecondsClaimedOnly: { p50: round(percentile(claimedLags, 50), 3), p99: round(percentile(claimedLags, 99), 3) },
          lagSeconds: { p50: round(p50, 3), p90: round(percentile(lags, 90), 3), p99: round(p99, 3), max: round(Math.max(...lags), 3) },
          pollsPerSecond: round(pollsPerSecond, 2),
          syncsCompleted: synced,
          emailsStored: stored,
          mailboxesWithFailures: failures,
          cpuSeconds: { workers: workersCpu.map((c) => round(c, 1)), postgresBackends: round(pgCpu, 1), dovecot: round(dovecotCpu, 1) },
          cpuPercentOfOneCore: {
            workers: workersCpu.map((c) => round((100 * c) / windowSeconds, 1)),
            postgresBackends: round((100 * pgCpu) / windowSeconds, 1),
            dovecot: round((100 * dovecotCpu) / windowSeconds, 1),
          },
          machineBusyPercent: round((100 * (machineEnd.busy - machineStart.busy)) / (machineEnd.total - machineStart.total), 1),
          cpuSecondsPerSync: round(cpuPerSync, 4),
          estimatedMailboxCapacity: capacityMailboxes,
        },
        notes: [
          "lag = probe's clock_timestamp() at the claim − the next_sync_at the claim found; due in the window but unclaimed at its end counts with the lag reached",
          "estimatedMailboxCapacity = 2 cores ÷ (worker + Postgres backend + Dovecot CPU per sync) × interval: an upper bound that assumes the whole machine for syncing",
          `${mailboxCount / logins} mailboxes per Dovecot login (harness addUser rewrites its users file each time: quadratic)`,
        ],
      };
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await dovecot.destroy();
      await bench.close();
    }
  },
};
