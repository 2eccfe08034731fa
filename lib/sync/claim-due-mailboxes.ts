import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { log } from "../log";
import { hostKeySql } from "./host-circuit";
import { heldForPush } from "./push-sessions-sql";

/** `col in (values)`, or false for no values. */
function inList(col: SQL, values: string[]): SQL {
  return values.length ? sql`${col} in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})` : sql`false`;
}

/**
 * How many of a worker's `lanes` each server host may hold, given what each wants
 * (lanes it holds plus its due mailboxes): max-min fair — hosts that want little get
 * it all, the rest split what is left equally (at least one each) — and no host ever
 * holds them all: an eighth stays free for a host that comes due meanwhile.
 */
export function fairShares(wants: Map<string, number>, lanes: number): Map<string, number> {
  const maxPerHost = lanes > 1 ? lanes - Math.ceil(lanes / 8) : 1;
  const shares = new Map<string, number>();
  const ascending = [...wants].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  let left = lanes;
  let hosts = ascending.length;
  for (const [host, want] of ascending) {
    const give = Math.min(want, maxPerHost, Math.max(1, Math.floor(left / hosts)));
    shares.set(host, give);
    left = Math.max(0, left - give);
    hosts--;
  }
  return shares;
}

/**
 * Claims up to `limit` mailboxes that are due for incoming sync and not leased by
 * a live worker, and leases them to `workerId` for `leaseMs`. Due: server-side
 * sync for incoming, enabled, approved (when the org processes approved mailboxes
 * only), with a profile, and its next sync time has come (or was never set).
 * `FOR UPDATE SKIP LOCKED` keeps concurrent workers from claiming the same row;
 * an expired lease (a crashed worker) is simply claimable again.
 *
 * Server hosts (the profile's incoming host and port) share fairly, so that many
 * mailboxes on one dead server cannot starve the rest:
 * - given `lanes` (the worker's concurrency), a host holds at most its fair share
 *   of this worker's lanes (fairShares), counting the syncs it runs already (a
 *   push session's lease is no lane);
 * - a host whose circuit is open (lib/sync/host-circuit.ts) gets nothing; once
 *   its open time is over, one probe mailbox — claimed by one worker only: the
 *   circuit row is locked (skip locked) and marked with the probe.
 */
export async function claimDueMailboxes(db: Db, input: { workerId: string; limit: number; leaseMs: number; lanes?: number }): Promise<string[]> {
  if (input.limit <= 0) return [];
  const dueWhere = (c: string) => sql.raw(`
          ${c}.incoming_delivery = 'server_side_sync'
          and ${c}.incoming_enabled
          and ${c}.profile_id is not null
          and (${c}.next_sync_at is null or ${c}.next_sync_at <= now())
          and (${c}.lease_expires_at is null or ${c}.lease_expires_at < now())
          and (${c}.approved_at is not null
               or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))`);
  return db.transaction(async (tx) => {
    // Circuits whose open time is over and whose probe is not running: this claim may probe them.
    const probeRows = await tx.execute<{ host: string }>(sql`
      select host from host_circuits
       where trips > 0 and open_until <= now() and (probe_until is null or probe_until < now())
       for update skip locked`);
    const probeHosts = probeRows.map((r) => r.host);
    const due = sql`
      due as (
        select c.id, c.next_sync_at, ${hostKeySql} as host
          from mailboxes c join profiles p on p.id = c.profile_id
         where ${dueWhere("c")}
           and not exists (
             select 1 from host_circuits hc
              where hc.host = ${hostKeySql} and hc.trips > 0 and not ${inList(sql`hc.host`, probeHosts)}))`;
    // What each host wants (its due mailboxes, and the lanes of this worker it holds), earliest due first.
    const wants = await tx.execute<{ host: string; due: number; held: number }>(sql`
      with ${due},
      held as (
        select ${hostKeySql} as host, count(*)::int as n
          from mailboxes h join profiles p on p.id = h.profile_id
         where h.lease_owner = ${input.workerId} and h.lease_expires_at > now()
           and not ${heldForPush("h")}
         group by 1)
      select host, sum(due)::int as due, sum(held)::int as held
        from (select host, 1 as due, 0 as held, coalesce(next_sync_at, '-infinity') as at from due
              union all select host, 0, n, 'infinity' from held) x
       group by host
       order by min(at), host`);
    // What each may take now: a probe host one mailbox; given lanes, its fair share less what it holds; within the limit.
    const shares = input.lanes === undefined ? null : fairShares(new Map(wants.map((w) => [w.host, Number(w.held) + Number(w.due)])), input.lanes);
    const allowed: Array<{ host: string; n: number }> = [];
    let left = input.limit;
    for (const w of wants) {
      const share = probeHosts.includes(w.host) ? 1 : shares ? Math.max(0, shares.get(w.host)! - Number(w.held)) : input.limit;
      const n = Math.min(share, Number(w.due), left);
      if (n > 0) allowed.push({ host: w.host, n });
      left -= n;
      if (left <= 0) break;
    }
    if (allowed.length === 0) return [];
    // Per host, its due mailboxes in order, skipping rows another claimer holds locked.
    const rows = await tx.execute<{ id: string; host: string }>(sql`
      update mailboxes m
         set lease_owner = ${input.workerId},
             lease_expires_at = now() + ${input.leaseMs} * interval '1 millisecond',
             -- Taken from a push holder that died: its session is gone, so the page and the dashboard must not show it as held.
             push_connected_at = case when ${heldForPush("m")} then null else m.push_connected_at end,
             push_state = case when ${heldForPush("m")} then null else m.push_state end
        from profiles p
       where p.id = m.profile_id
         and m.id in (
           select x.id
             from (values ${sql.join(allowed.map((a) => sql`(${a.host}, ${a.n}::int)`), sql`, `)}) as a(host, n)
            cross join lateral (
              select c.id from mailboxes c join profiles p on p.id = c.profile_id
               where ${dueWhere("c")} and ${hostKeySql} = a.host
               order by c.next_sync_at nulls first
               limit a.n
               for update of c skip locked) x)
      returning m.id, ${hostKeySql} as host`);
    for (const r of rows) {
      if (!probeHosts.includes(r.host)) continue;
      await tx.execute(sql`
        update host_circuits set probe_owner = ${`${input.workerId}/${r.id}`}, probe_until = now() + ${input.leaseMs} * interval '1 millisecond', updated_at = now()
         where host = ${r.host}`);
      log("info", "probing a server whose circuit is open", { host: r.host, mailboxId: r.id, workerId: input.workerId });
    }
    return rows.map((r) => r.id);
  });
}
