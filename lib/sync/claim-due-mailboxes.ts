import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { log } from "../log";
import { hostKeySql } from "./host-circuit";
import { heldForPush } from "./push-sessions-sql";
import { mailboxes, type Mailbox } from "../../db/schema/mailboxes";
import { profiles, type Profile } from "../../db/schema/profiles";
import { rowFromJson } from "./row-from-json";
import { nextDueSql } from "./next-due-in";

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

/** A mailbox claimed for incoming sync, with what its sync needs (so it reads nothing more to start). */
export type ClaimedMailbox = {
  mailbox: Mailbox;
  profile: Profile;
  /** This claim probes its server's open circuit (lib/sync/host-circuit.ts). */
  probe: boolean;
  /** Stored rows still wait for the profile's after-fetch action (lib/sync/after-fetch.ts). */
  afterFetchPending: boolean;
};

/** As claimDueMailboxRows, the ids only. */
export async function claimDueMailboxes(db: Db, input: ClaimInput): Promise<string[]> {
  return (await claimDueMailboxRows(db, input)).rows.map((r) => r.mailbox.id);
}

type ClaimInput = {
  workerId: string;
  limit: number;
  leaseMs: number;
  lanes?: number;
  /** How far ahead `nextDueMs` looks (nextDueIn's horizon). Default 1 s. */
  horizonMs?: number;
};

/**
 * Claims up to `limit` mailboxes that are due for incoming sync and not leased by
 * a live worker, and leases them to `workerId` for `leaseMs`. Due: server-side
 * sync for incoming, enabled, approved (when the org processes approved mailboxes
 * only), with a profile, and its next sync time has come (or was never set).
 * `FOR UPDATE SKIP LOCKED` keeps concurrent workers from claiming the same row;
 * an expired lease (a crashed worker) is simply claimable again. Each claimed row
 * comes back with its profile (one statement for all), and `nextDueMs` says when
 * the next mailbox not claimed now becomes due (as nextDueIn, within IDLE_MS).
 *
 * Server hosts (the profile's incoming host and port) share fairly, so that many
 * mailboxes on one dead server cannot starve the rest:
 * - given `lanes` (the worker's concurrency), a host holds at most its fair share
 *   of this worker's lanes (fairShares), counting the syncs it runs already (a
 *   push session's lease is no lane);
 * - a host whose circuit is open (lib/sync/host-circuit.ts) gets nothing; once
 *   its open time is over, one probe mailbox — claimed by one worker only: the
 *   circuit row's probe is taken with a compare-and-set before its mailbox is claimed.
 *
 * Two statements when something is due (what each host wants, then the claim), one when
 * nothing is; no transaction: the claim re-checks every condition under its row locks.
 */
export async function claimDueMailboxRows(db: Db, input: ClaimInput): Promise<{ rows: ClaimedMailbox[]; nextDueMs: number | undefined }> {
  if (input.limit <= 0) return { rows: [], nextDueMs: undefined };
  const horizon = input.horizonMs ?? 1000;
  const dueWhere = (c: string) => sql.raw(`
          ${c}.incoming_delivery = 'server_side_sync'
          and ${c}.incoming_enabled
          and ${c}.profile_id is not null
          and (${c}.next_sync_at is null or ${c}.next_sync_at <= now())
          and (${c}.lease_expires_at is null or ${c}.lease_expires_at < now())
          and (${c}.approved_at is not null
               or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))`);
  // Circuits whose open time is over and whose probe is not running: this claim may probe them.
  const probeable = sql`
      probe as (
        select host from host_circuits
         where trips > 0 and open_until <= now() and (probe_until is null or probe_until < now()))`;
  const due = sql`
      due as (
        select c.id, c.next_sync_at, ${hostKeySql} as host
          from mailboxes c join profiles p on p.id = c.profile_id
         where ${dueWhere("c")}
           and not exists (
             select 1 from host_circuits hc
              where hc.host = ${hostKeySql} and hc.trips > 0 and hc.host not in (select host from probe)))`;
  // What each host wants (its due mailboxes, and the lanes of this worker it holds), earliest due first.
  const [first] = await db.execute<{ wants: Array<{ host: string; due: number; held: number }> | null; probes: string[] | null; next_due_ms: number | null }>(sql`
      with ${probeable}, ${due},
      held as (
        select ${hostKeySql} as host, count(*)::int as n
          from mailboxes h join profiles p on p.id = h.profile_id
         where h.lease_owner = ${input.workerId} and h.lease_expires_at > now()
           and not ${heldForPush("h")}
         group by 1),
      wants as (
        select host, sum(due)::int as due, sum(held)::int as held, min(at) as at
          from (select host, 1 as due, 0 as held, coalesce(next_sync_at, '-infinity') as at from due
                union all select host, 0, n, 'infinity' from held) x
         group by host)
      select (select json_agg(json_build_object('host', host, 'due', due, 'held', held) order by at, host) from wants) as wants,
             (select array_agg(host) from probe) as probes,
             ${nextDueSql(horizon)} as next_due_ms`);
  const wants = first?.wants ?? [];
  const probeHosts = first?.probes ?? [];
  const firstNextDue = first?.next_due_ms === null || first?.next_due_ms === undefined ? undefined : Number(first.next_due_ms);
  // What each may take now: a probe host one mailbox; given lanes, its fair share less what it holds; within the limit.
  const shares = input.lanes === undefined ? null : fairShares(new Map(wants.map((w) => [w.host, Number(w.held) + Number(w.due)])), input.lanes);
  const allowed: Array<{ host: string; n: number }> = [];
  let left = input.limit;
  for (const w of wants) {
    if (Number(w.due) <= 0) continue;
    let share = shares ? Math.max(0, shares.get(w.host)! - Number(w.held)) : input.limit;
    if (probeHosts.includes(w.host)) {
      // One worker probes: the probe is taken before its mailbox (released below if none is claimed).
      const taken = await db.execute(sql`
        update host_circuits set probe_owner = ${`${input.workerId}/pending`}, probe_until = now() + ${input.leaseMs} * interval '1 millisecond', updated_at = now()
         where host = ${w.host} and trips > 0 and open_until <= now() and (probe_until is null or probe_until < now())
        returning host`);
      share = taken.length > 0 ? 1 : 0;
    }
    const n = Math.min(share, Number(w.due), left);
    if (n > 0) allowed.push({ host: w.host, n });
    left -= n;
    if (left <= 0) break;
  }
  if (allowed.length === 0) return { rows: [], nextDueMs: firstNextDue };
  // Per host, its due mailboxes in order, skipping rows another claimer holds locked.
  const rows = await db.execute<{ id: string; host: string; mailbox: Record<string, unknown>; profile: Record<string, unknown>; pending: boolean; next_due_ms: number | null }>(sql`
    with claimed as (
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
      returning m.*, ${hostKeySql} as host, to_jsonb(p.*) as profile)
    select k.id, k.host, to_jsonb(k.*) - 'host' - 'profile' as mailbox, k.profile,
           exists (select 1 from emails e where e.mailbox_id = k.id and e.after_fetch_pending) as pending,
           ${nextDueSql(horizon, sql`c.id not in (select id from claimed)`)} as next_due_ms
      from claimed k`);
  const claimedHosts = new Set(rows.map((r) => r.host));
  for (const host of probeHosts) {
    if (!allowed.some((a) => a.host === host)) continue;
    const r = rows.find((x) => x.host === host);
    // The probe's owner names its mailbox, so that mailbox's sync ends the probe; none claimed: the next claim may probe.
    await db.execute(sql`
      update host_circuits set probe_owner = ${r ? `${input.workerId}/${r.id}` : null}, probe_until = ${r ? sql`probe_until` : null}
       where host = ${host} and probe_owner = ${`${input.workerId}/pending`}`);
    if (r) log("info", "probing a server whose circuit is open", { host, mailboxId: r.id, workerId: input.workerId });
  }
  const nextDue = rows.length > 0 ? rows[0].next_due_ms : null;
  return {
    rows: rows.map((r) => ({
      mailbox: rowFromJson(mailboxes, r.mailbox),
      profile: rowFromJson(profiles, r.profile),
      probe: probeHosts.includes(r.host) && claimedHosts.has(r.host),
      afterFetchPending: r.pending,
    })),
    nextDueMs: nextDue === null || nextDue === undefined ? undefined : Number(nextDue),
  };
}
