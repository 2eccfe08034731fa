import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { msg } from "../i18n/message";
import { log } from "../log";
import { raiseAlert } from "../alerts/raise-alert";
import { lastErrorColumns } from "../mailboxes/last-error-columns";
import type { ClassifiedError } from "../mail/errors";
import type { SyncOptions } from "./sync-options";

/*
 * A circuit breaker per incoming server, shared by every worker through the
 * host_circuits table. A server that accepts connections and never answers makes
 * each of its mailboxes wait out a timeout; with many mailboxes on it, they would
 * fill the worker's lanes wave after wave. So:
 * - `circuitThreshold` timeouts in a row from a host (any of its mailboxes, any
 *   worker) open its circuit for `circuitOpenMs`; its other mailboxes are not
 *   claimed meanwhile (they wait, due, without a failure of their own, and show
 *   "waiting for the server" — the code `host_unresponsive`) and each profile owner
 *   whose profile reads from that host gets one warning alert;
 * - then one probe mailbox is claimed (lib/sync/claim-due-mailboxes.ts); a probe
 *   that times out opens the circuit again, each time twice as long up to
 *   `circuitOpenCapMs`;
 * - any answer from the server (a sync, or any error that is not a timeout or a
 *   refused connection) closes the circuit, and the waiting mailboxes are due at once
 *   (the profile owners get an information alert).
 */

/** The key of a server host: the profile's incoming host, lower-cased, and port. */
export function hostKey(host: string, port: number): string {
  return `${host.trim().toLowerCase()}:${port}`;
}

/** hostKey in SQL, for a profiles row aliased `p`. */
export const hostKeySql: SQL = sql`lower(btrim(p.incoming_host)) || ':' || p.incoming_port`;

/** Error codes that say nothing about whether the server answers (no session was tried or none could be). */
const SILENT_CODES = new Set(["connect_refused", "host_not_found", "port_not_allowed", "credentials_unsafe"]);

/** How a finished sync bears on its host's circuit: a timeout, an answer, or nothing either way. */
export function circuitSignal(result: { ok: boolean; error?: ClassifiedError; cutAtDeadline?: boolean }): "timeout" | "answered" | "none" {
  if (result.ok) return "answered";
  const code = result.error?.code;
  if (!code || result.error?.kind === undefined) return "none";
  // A sync cut at its time budget was busy, not silent.
  if (code === "timeout") return result.cutAtDeadline ? "answered" : "timeout";
  if (SILENT_CODES.has(code) || code.startsWith("oauth_")) return "none";
  return "answered";
}

/** The server answered: its circuit closes (the waiting mailboxes are due already). */
export async function recordHostAnswered(db: Db, host: string): Promise<void> {
  const rows = await db.execute<{ trips: number }>(sql`delete from host_circuits where host = ${host} returning trips`);
  if (!rows.some((r) => Number(r.trips) > 0)) return;
  await hostCircuitClosed(db, host);
}

/** After an open circuit of `host` was deleted (recordHostAnswered, or a sync's outcome statement): its profile owners hear it answers again. */
export async function hostCircuitClosed(db: Db, host: string): Promise<void> {
  log("info", "server answers again; its circuit is closed", { host });
  await alertProfileOwners(db, host, "answering");
}

function splitHost(host: string): { host: string; port: number } {
  const sep = host.lastIndexOf(":");
  return { host: host.slice(0, sep), port: Number(host.slice(sep + 1)) };
}

/**
 * Tells each profile owner whose profile reads mail from `host` that its mailboxes wait
 * for the server (a warning, when the circuit opens) or sync again (information, when
 * it closes). One alert per profile; the mailboxes themselves show it as their status.
 */
async function alertProfileOwners(db: Db, host: string, what: "waiting" | "answering", openMs = 0): Promise<void> {
  const profiles = await db.execute<{ id: string; name: string; owner_id: string | null; mailboxes: number }>(sql`
    select p.id, p.name, p.owner_id,
           (select count(*)::int from mailboxes m
             where m.profile_id = p.id and m.incoming_delivery = 'server_side_sync' and m.incoming_enabled) as mailboxes
      from profiles p where ${hostKeySql} = ${host}`);
  const where = splitHost(host);
  for (const p of profiles) {
    if (what === "waiting" && Number(p.mailboxes) === 0) continue;
    const params = { ...where, profile: p.name };
    await raiseAlert(db, what === "waiting"
      ? {
          severity: "warning",
          recipientIds: [p.owner_id],
          profileId: p.id,
          dedupKey: `incoming:host_unresponsive:${p.id}`,
          title: msg("alerts.text.hostNotAnsweringTitle", params),
          message: msg("alerts.text.hostNotAnswering", { ...params, mailboxes: Number(p.mailboxes), seconds: Math.round(openMs / 1000) }),
          detail: `circuit open for ${host}`,
        }
      : {
          severity: "information",
          recipientIds: [p.owner_id],
          profileId: p.id,
          dedupKey: `incoming:host_answering:${p.id}`,
          title: msg("alerts.text.hostAnsweringTitle", params),
          message: msg("alerts.text.hostAnswering", params),
        });
  }
}

/** A sync ended without telling (a refused connection, no free slot, a lost lease): if it was the probe, the next one may go. */
export async function releaseProbe(db: Db, probeOwner: string): Promise<void> {
  await db.execute(sql`update host_circuits set probe_owner = null, probe_until = null where probe_owner = ${probeOwner}`);
}

/**
 * A sync of `mailboxId` timed out on `host`. Counts the timeout; at the threshold the
 * circuit opens. The probe's timeout opens it again for longer. Timeouts of syncs that
 * were already running when it opened only count. When the circuit opens, the host's
 * other waiting mailboxes show why they wait.
 */
export async function recordHostTimeout(
  db: Db,
  input: { host: string; probeOwner: string; options: Pick<SyncOptions, "circuitThreshold" | "circuitOpenMs" | "circuitOpenCapMs"> },
): Promise<void> {
  const { host, probeOwner, options: o } = input;
  const opened = await db.transaction(async (tx) => {
    await tx.execute(sql`insert into host_circuits (host) values (${host}) on conflict (host) do nothing`);
    const [c] = await tx.execute<{ timeouts: number; trips: number; probe_owner: string | null }>(sql`
      select timeouts, trips, probe_owner from host_circuits where host = ${host} for update`);
    const timeouts = Number(c.timeouts) + 1;
    const wasProbe = c.probe_owner === probeOwner;
    let trips = Number(c.trips);
    if (trips === 0 && timeouts >= o.circuitThreshold) trips = 1;
    else if (trips > 0 && wasProbe) trips += 1;
    const openMs = trips !== Number(c.trips) ? Math.min(o.circuitOpenCapMs, o.circuitOpenMs * 2 ** Math.min(trips - 1, 20)) : null;
    await tx.execute(sql`
      update host_circuits set
        timeouts = ${timeouts},
        trips = ${trips},
        opened_at = case when ${trips} = 1 and ${openMs !== null} then now() else opened_at end,
        open_until = case when ${openMs !== null} then now() + ${openMs ?? 0} * interval '1 millisecond' else open_until end,
        probe_owner = case when ${wasProbe} then null else probe_owner end,
        probe_until = case when ${wasProbe} then null else probe_until end,
        updated_at = now()
       where host = ${host}`);
    if (openMs !== null) log("warn", "server does not answer; its circuit is open, then one mailbox probes it while the others wait", { host, timeouts, trips, openMs });
    return openMs !== null && trips === 1 ? openMs : null;
  });
  if (opened === null) return;
  await markWaiting(db, host);
  await alertProfileOwners(db, host, "waiting", opened);
}

/**
 * The host's other mailboxes that are waiting for their turn show why: status
 * "retrying" with the circuit's message. Not a failure of their own (their failure
 * count and next sync time stay), and a sync that answers clears it.
 */
async function markWaiting(db: Db, host: string): Promise<void> {
  const message = msg("mailError.hostNotAnswering", splitHost(host));
  const cols = lastErrorColumns(message, "host_unresponsive");
  await db.execute(sql`
    update mailboxes m
       set incoming_status = 'retrying',
           last_error = ${cols.lastError}, last_error_code = ${cols.lastErrorCode},
           last_error_key = ${cols.lastErrorKey}, last_error_params = ${JSON.stringify(cols.lastErrorParams)}::jsonb,
           updated_at = now()
      from profiles p
     where p.id = m.profile_id and ${hostKeySql} = ${host}
       and m.incoming_delivery = 'server_side_sync' and m.incoming_enabled
       and (m.lease_expires_at is null or m.lease_expires_at < now())
       and m.incoming_status <> 'failure'`);
}
