import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { assertCan, type Actor } from "../auth/actor";
import { WORKER_GONE_MS } from "../health/check-readiness";
import { storedMessage, type Message } from "../i18n/message";
import { newMailLatencySamples } from "./new-mail-latency";

export type DashboardRange = "24h" | "7d";

export type StatusCount = { status: string; enabled: boolean; count: number };
/** Seconds; null when there were no samples. */
export type Percentiles = { p50: number | null; p95: number | null; samples: number };
export type MailboxTiming = { id: string; name: string; latency: Percentiles; lag: Percentiles };
export type FailingMailbox = {
  id: string;
  name: string;
  direction: "incoming" | "outgoing";
  status: string;
  enabled: boolean;
  errorCode: string | null;
  /** The last incoming error for people (key + parameters, or an older row's text). */
  error: Message | string | null;
  failures: number;
  silentSince: Date | null;
};
export type WorkerStatus = { id: string; host: string; pid: number; version: string; startedAt: Date; lastSeenAt: Date; lanesBusy: number; pushSessions: number; alive: boolean };

export type Dashboard = {
  range: DashboardRange;
  generatedAt: Date;
  mailboxes: { incoming: StatusCount[]; outgoing: StatusCount[] };
  /** Hour starts (Unix seconds), oldest first: the x axis of the series below. */
  hours: number[];
  storedPerHour: number[];
  sentPerHour: number[];
  /** Failed sync attempts per hour, one series per error code. */
  errorsPerHour: { code: string; counts: number[] }[];
  totals: { stored: number; sent: number; errors: number };
  latency: Percentiles;
  lag: Percentiles;
  /** The 20 mailboxes with the highest p95 (new-mail latency or polling lag), slowest first. */
  slowest: MailboxTiming[];
  failing: FailingMailbox[];
  workers: WorkerStatus[];
  /** IMAP sessions held open for push (IDLE) by live workers, of the mailboxes whose profile has push on. */
  push: { held: number; pushable: number };
  outbox: { queued: number; retrying: number; sending: number; oldestQueuedAt: Date | null; oldestMailboxId: string | null };
};

const pct = (column: string) => sql.raw(`percentile_cont(0.5) within group (order by ${column}) as p50, percentile_cont(0.95) within group (order by ${column}) as p95, count(*)::int as samples`);
type PctRow = { p50: number | null; p95: number | null; samples: number };
const toPct = (r: PctRow | undefined): Percentiles => ({ p50: r?.p50 ?? null, p95: r?.p95 ?? null, samples: r?.samples ?? 0 });

/**
 * Everything /monitoring shows (monitoring:read), over the last 24 hours or 7
 * days in hourly buckets: mailboxes by status, mail stored and sent per hour,
 * sync errors per hour by code, new-mail latency (arrival → stored) and polling
 * lag (due → started) overall and per mailbox, failing mailboxes, workers, and
 * the outbox. Each figure is one query over the tables the worker writes.
 */
export async function getDashboard(db: Db, actor: Actor | null, input: { range?: string }): Promise<Dashboard> {
  assertCan(actor, "monitoring:read");
  const range: DashboardRange = input.range === "7d" ? "7d" : "24h";
  const hourCount = range === "7d" ? 168 : 24;
  const [{ start, now }] = await db.execute<{ start: string; now: string }>(
    sql`select (date_trunc('hour', now()) - ${hourCount - 1} * interval '1 hour')::text as start, now()::text as now`,
  );
  const startSec = Math.round(Date.parse(start) / 1000);
  const hours = Array.from({ length: hourCount }, (_, i) => startSec + i * 3600);
  const slot = (t: number) => Math.round((t - startSec) / 3600);

  const [statusRows, stored, sent, errors, latency, lag, slowest, failing, workerRows, outboxRows, pushRows] = await Promise.all([
    db.execute<{ direction: "incoming" | "outgoing"; status: string; enabled: boolean; count: number }>(sql`
      select 'incoming' as direction, incoming_status::text as status, incoming_enabled as enabled, count(*)::int as count
        from mailboxes where incoming_delivery = 'server_side_sync' group by 2, 3
      union all
      select 'outgoing', outgoing_status::text, outgoing_enabled, count(*)::int
        from mailboxes where outgoing_delivery = 'server_side_sync' group by 2, 3
      order by 1, 2, 3`),
    db.execute<{ t: number; n: number }>(sql`
      select extract(epoch from date_trunc('hour', finished_at))::int as t, sum(stored)::int as n
        from sync_runs where finished_at >= ${start}::timestamptz group by 1`),
    db.execute<{ t: number; n: number }>(sql`
      select extract(epoch from date_trunc('hour', sent_at))::int as t, count(*)::int as n
        from outbox where status = 'sent' and sent_at >= ${start}::timestamptz group by 1`),
    db.execute<{ t: number; code: string; n: number }>(sql`
      select extract(epoch from date_trunc('hour', finished_at))::int as t, error_code as code, count(*)::int as n
        from sync_runs where error_code is not null and finished_at >= ${start}::timestamptz group by 1, 2`),
    db.execute<PctRow>(sql`
      select ${pct("s.seconds")} from mailboxes m cross join lateral (${newMailLatencySamples(sql`m`, start)}) s`),
    db.execute<PctRow>(sql`
      select ${pct("r.lag_ms / 1000.0")} from sync_runs r where r.finished_at >= ${start}::timestamptz and r.lag_ms is not null`),
    db.execute<{ id: string; name: string; l50: number | null; l95: number | null; ln: number; g50: number | null; g95: number | null; gn: number }>(sql`
      select m.id, m.name, lat.p50 as l50, lat.p95 as l95, lat.samples as ln, lag.p50 as g50, lag.p95 as g95, lag.samples as gn
        from mailboxes m
        cross join lateral (select ${pct("s.seconds")} from (${newMailLatencySamples(sql`m`, start)}) s) lat
        cross join lateral (select ${pct("r.lag_ms / 1000.0")} from sync_runs r
                             where r.mailbox_id = m.id and r.finished_at >= ${start}::timestamptz and r.lag_ms is not null) lag
       where lat.samples > 0 or lag.samples > 0
       order by greatest(coalesce(lat.p95, 0), coalesce(lag.p95, 0)) desc, m.name
       limit 20`),
    db.execute<{ id: string; name: string; direction: "incoming" | "outgoing"; status: string; enabled: boolean; error_code: string | null; error_key: string | null; error_params: unknown; error_text: string | null; failures: number; silent_since: string | null }>(sql`
      select id, name, 'incoming' as direction, incoming_status::text as status, incoming_enabled as enabled, last_error_code as error_code,
             last_error_key as error_key, last_error_params as error_params, last_error as error_text, consecutive_failures as failures, silent_since::text
        from mailboxes
       where incoming_delivery = 'server_side_sync' and (incoming_status = 'failure' or consecutive_failures > 0 or silent_since is not null)
      union all
      select id, name, 'outgoing', outgoing_status::text, outgoing_enabled, null, null, null, null, 0, null
        from mailboxes where outgoing_delivery = 'server_side_sync' and outgoing_status = 'failure'
      order by 2, 3`),
    db.execute<{ id: string; host: string; pid: number; version: string; started_at: string; last_seen_at: string; lanes_busy: number; push_sessions: number; alive: boolean }>(sql`
      select w.id, w.host, w.pid, w.version, w.started_at::text, w.last_seen_at::text, w.lanes_busy,
             (select count(*)::int from mailboxes m where m.lease_owner = w.id and m.lease_expires_at > now() and m.push_connected_at is not null) as push_sessions,
             (w.stopped_at is null and w.last_seen_at > now() - ${WORKER_GONE_MS} * interval '1 millisecond') as alive
        from workers w order by alive desc, w.last_seen_at desc, w.id limit 100`),
    db.execute<{ queued: number; retrying: number; sending: number; oldest: string | null; oldest_mailbox: string | null }>(sql`
      select count(*) filter (where status = 'queued')::int as queued,
             count(*) filter (where status = 'retrying')::int as retrying,
             count(*) filter (where status = 'sending')::int as sending,
             min(created_at)::text as oldest,
             (select mailbox_id::text from outbox where status in ('queued', 'retrying', 'sending') order by created_at, id limit 1) as oldest_mailbox
        from outbox where status in ('queued', 'retrying', 'sending')`),
    // Held: connected and leased now. Pushable: IMAP mailboxes syncing on a profile with push on.
    db.execute<{ held: number; pushable: number }>(sql`
      select count(*) filter (where m.push_connected_at is not null and m.lease_expires_at > now())::int as held,
             count(*)::int as pushable
        from mailboxes m join profiles p on p.id = m.profile_id
       where m.incoming_delivery = 'server_side_sync' and m.incoming_enabled and p.push_enabled and p.incoming_protocol = 'imap'`),
  ]);

  const perHour = (rows: { t: number; n: number }[]) => {
    const out = hours.map(() => 0);
    for (const r of rows) if (slot(r.t) >= 0 && slot(r.t) < hourCount) out[slot(r.t)] += r.n;
    return out;
  };
  const codes = [...new Set(errors.map((e) => e.code))].sort();
  const errorsPerHour = codes.map((code) => ({ code, counts: perHour(errors.filter((e) => e.code === code)) }));
  const storedPerHour = perHour(stored);
  const sentPerHour = perHour(sent);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const o = outboxRows[0];
  return {
    range,
    generatedAt: new Date(now),
    mailboxes: {
      incoming: statusRows.filter((r) => r.direction === "incoming").map(({ status, enabled, count }) => ({ status, enabled, count })),
      outgoing: statusRows.filter((r) => r.direction === "outgoing").map(({ status, enabled, count }) => ({ status, enabled, count })),
    },
    hours,
    storedPerHour,
    sentPerHour,
    errorsPerHour,
    totals: { stored: sum(storedPerHour), sent: sum(sentPerHour), errors: sum(errorsPerHour.map((e) => sum(e.counts))) },
    latency: toPct(latency[0]),
    lag: toPct(lag[0]),
    slowest: slowest.map((r) => ({ id: r.id, name: r.name, latency: { p50: r.l50, p95: r.l95, samples: r.ln }, lag: { p50: r.g50, p95: r.g95, samples: r.gn } })),
    failing: failing.map((r) => ({ id: r.id, name: r.name, direction: r.direction, status: r.status, enabled: r.enabled, errorCode: r.error_code, error: storedMessage(r.error_key, r.error_params, r.error_text), failures: r.failures, silentSince: r.silent_since ? new Date(r.silent_since) : null })),
    workers: workerRows.map((w) => ({ id: w.id, host: w.host, pid: w.pid, version: w.version, startedAt: new Date(w.started_at), lastSeenAt: new Date(w.last_seen_at), lanesBusy: w.lanes_busy, pushSessions: w.push_sessions, alive: w.alive })),
    push: { held: pushRows[0]?.held ?? 0, pushable: pushRows[0]?.pushable ?? 0 },
    outbox: { queued: o?.queued ?? 0, retrying: o?.retrying ?? 0, sending: o?.sending ?? 0, oldestQueuedAt: o?.oldest ? new Date(o.oldest) : null, oldestMailboxId: o?.oldest_mailbox ?? null },
  };
}
