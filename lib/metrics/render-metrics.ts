import { sql } from "drizzle-orm";
import { AggregatorRegistry, Gauge, Counter, Registry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { Db } from "../../db/client";
import { WORKER_GONE_MS } from "../health/check-readiness";

type Json = MetricObjectWithValues<MetricValue<string>>;

/**
 * The Prometheus text for /metrics, from two sources:
 * - what the database knows at scrape time (mailboxes by status, lag, mail sent
 *   and failed, outbox depth, workers up): one query per family, the same answer
 *   whichever web process is scraped and however many workers run;
 * - what each live worker counted itself (sync durations, messages stored, token
 *   refreshes), as published with its heartbeat, labelled `worker`, and what each
 *   live web process counted (handed-in mail, lib/metrics/publish-web-metrics.ts),
 *   labelled `worker="web:<host>:<pid>"`: not this process's memory, since a
 *   scrape reaches only one of several web processes.
 */
export async function renderMetrics(db: Db): Promise<{ contentType: string; text: string }> {
  const fromDb = await databaseMetrics(db);
  const rows = await db.execute<{ id: string; metrics: Json[] }>(sql`
    select id, metrics from workers
     where stopped_at is null and last_seen_at > now() - ${WORKER_GONE_MS} * interval '1 millisecond'
    union all
    select id, metrics from web_processes
     where last_seen_at > now() - ${WORKER_GONE_MS} * interval '1 millisecond'
     order by id`);
  const published = rows.map((r) => withLabel(r.metrics, "worker", r.id));
  const counted = AggregatorRegistry.aggregate<typeof Registry.PROMETHEUS_CONTENT_TYPE>(published as Parameters<typeof AggregatorRegistry.aggregate>[0]);
  const merged = Registry.merge([fromDb, counted]);
  return { contentType: merged.contentType, text: await merged.metrics() };
}

/** Adds one label to every value of every metric (each worker's series stay apart). */
function withLabel(metrics: Json[], name: string, value: string): Json[] {
  return metrics.map((m) => ({ ...m, values: m.values.map((v) => ({ ...v, labels: { ...v.labels, [name]: value } })) }));
}

async function databaseMetrics(db: Db): Promise<Registry> {
  const r = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [r] });

  const [mailboxRows, outboxRows, depth, lagRows, workerRows, profileRows, pushRows, oauthRows] = await Promise.all([
    db.execute<{ direction: string; status: string; enabled: boolean; n: number }>(sql`
      select 'incoming' as direction, incoming_status::text as status, incoming_enabled as enabled, count(*)::int as n
        from mailboxes where incoming_delivery = 'server_side_sync' group by 2, 3
      union all
      select 'outgoing', outgoing_status::text, outgoing_enabled, count(*)::int
        from mailboxes where outgoing_delivery = 'server_side_sync' group by 2, 3`),
    db.execute<{ profile: string | null; status: string; n: number }>(sql`
      select m.profile_id::text as profile, o.status::text as status, count(*)::int as n
        from outbox o join mailboxes m on m.id = o.mailbox_id
       where o.status in ('sent', 'failed') group by 1, 2`),
    db.execute<{ queued: number; oldest: number | null }>(sql`
      select count(*)::int as queued, extract(epoch from now() - min(created_at))::float8 as oldest
        from outbox where status in ('queued', 'retrying', 'sending')`),
    db.execute<{ mailbox: string; lag: number; last_sync: number | null }>(sql`
      select id::text as mailbox,
             greatest(0, extract(epoch from now() - coalesce(next_sync_at, now())))::float8 as lag,
             extract(epoch from last_sync_at)::float8 as last_sync
        from mailboxes where incoming_delivery = 'server_side_sync' and incoming_enabled`),
    db.execute<{ id: string; busy: number }>(sql`
      select id, lanes_busy as busy from workers
       where stopped_at is null and last_seen_at > now() - ${WORKER_GONE_MS} * interval '1 millisecond'`),
    db.execute<{ id: string; name: string }>(sql`select id::text, name from profiles`),
    db.execute<{ worker: string; n: number }>(sql`
      select lease_owner as worker, count(*)::int as n from mailboxes
       where push_connected_at is not null and lease_expires_at > now() and lease_owner is not null group by 1`),
    db.execute<{ kind: string; state: string; n: number }>(sql`
      select kind, case when last_error_code is not null then 'failing' when refresh_token_sealed is null and kind = 'delegated' then 'not_connected' else 'ok' end as state, count(*)::int as n
        from oauth_credentials group by 1, 2`),
  ]);

  const boxes = gauge("mailroom_mailboxes", "Mailboxes using server-side sync, by direction, status (not_run, success, failure) and enabled.", ["direction", "status", "enabled"]);
  for (const row of mailboxRows) boxes.set({ direction: row.direction, status: row.status, enabled: String(row.enabled) }, row.n);

  // Counters from the outbox table: monotonic as long as mail is not deleted, and right however many workers send.
  const sent = new Counter({ name: "mailroom_messages_sent_total", help: "Outgoing emails the SMTP server accepted, by profile id.", labelNames: ["protocol", "profile"], registers: [r] });
  const failed = new Counter({ name: "mailroom_messages_failed_total", help: "Outgoing emails that failed for good, by profile id.", labelNames: ["protocol", "profile"], registers: [r] });
  for (const row of outboxRows) (row.status === "sent" ? sent : failed).inc({ protocol: "smtp", profile: row.profile ?? "" }, row.n);

  gauge("mailroom_outbox_depth", "Outgoing emails waiting to be sent (queued, retrying or sending).").set(depth[0]?.queued ?? 0);
  gauge("mailroom_outbox_oldest_queued_seconds", "Age of the oldest outgoing email still waiting, 0 when none.").set(depth[0]?.oldest ?? 0);

  const lag = gauge("mailroom_sync_lag_seconds", "How long past its due time an enabled mailbox still waits for its sync (0: not due yet).", ["mailbox"]);
  const last = gauge("mailroom_mailbox_last_sync_timestamp_seconds", "When the mailbox last synced successfully (Unix time).", ["mailbox"]);
  for (const row of lagRows) {
    lag.set({ mailbox: row.mailbox }, row.lag);
    if (row.last_sync !== null) last.set({ mailbox: row.mailbox }, row.last_sync);
  }

  gauge("mailroom_workers_up", "Workers that wrote a heartbeat within the last minute.").set(workerRows.length);
  const busy = gauge("mailroom_worker_lanes_busy", "Mailboxes and emails a live worker holds a lease on.", ["worker"]);
  for (const row of workerRows) busy.set({ worker: row.id }, row.busy);

  const push = gauge("mailroom_push_sessions", "IMAP sessions a worker holds open for push (IDLE), connected now.", ["worker"]);
  for (const row of pushRows) push.set({ worker: row.worker }, row.n);

  // The state each OAuth credential's last refresh left (the counter of refreshes is mailroom_token_refreshes_total).
  const creds = gauge("mailroom_oauth_credentials", "OAuth credentials by kind (delegated, app) and state (ok, failing: the last refresh failed, not_connected).", ["kind", "state"]);
  for (const row of oauthRows) creds.set({ kind: row.kind, state: row.state }, row.n);

  const info = gauge("mailroom_profile_info", "Names of the profile ids used as labels.", ["profile", "name"]);
  for (const row of profileRows) info.set({ profile: row.id, name: row.name }, 1);
  return r;
}
