import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";

/*
 * The database side of push sessions (IMAP IDLE held open by a worker). A held session
 * holds the mailbox's lease exactly as a sync does — so polling leaves the mailbox alone
 * and storeMessages' exactly-once checks apply to what the session stores — and a
 * connection slot of its budget; both are renewed together for all of a worker's
 * sessions in one statement and expire together when the worker dies, when another
 * worker takes the mailbox over.
 */

/**
 * Mailbox `c` (joined to its profile `p`) may be held for push: server-side IMAP sync,
 * enabled, approved when approval is required, its profile's push on, and its first sync
 * done (a first sync is long work for a polling lane, not for a held session).
 */
export function pushEligible(): SQL {
  return sql`c.incoming_delivery = 'server_side_sync'
    and c.incoming_enabled
    and p.push_enabled
    and p.incoming_protocol = 'imap'
    and c.synced_from is not null
    and (c.approved_at is not null
         or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))`;
}

/** The push states of a mailbox whose lease is a held session's (not a sync's). */
export const HELD_STATES = ["connecting", "idle", "noop", "reconnecting"] as const;

/** Whether the lease of mailbox `alias` belongs to a held push session rather than a sync. */
export function heldForPush(alias: string): SQL {
  return sql`coalesce(${sql.raw(alias)}.push_state, '') in ('connecting', 'idle', 'noop', 'reconnecting')`;
}

/**
 * Leases up to `limit` mailboxes that may be held for push and are not leased by a live
 * worker nor waiting out a push retry, to `workerId` for `leaseMs`. Returns their ids.
 */
export async function claimPushMailboxes(db: Db, input: { workerId: string; limit: number; leaseMs: number }): Promise<Array<{ id: string; profileId: string }>> {
  if (input.limit <= 0) return [];
  const rows = await db.execute<{ id: string; profile_id: string }>(sql`
    update mailboxes m
       set lease_owner = ${input.workerId},
           lease_expires_at = now() + ${input.leaseMs} * interval '1 millisecond',
           push_state = 'connecting'
     where m.id in (
       select c.id from mailboxes c join profiles p on p.id = c.profile_id
        where ${pushEligible()}
          and (c.lease_expires_at is null or c.lease_expires_at < now())
          and (c.push_retry_at is null or c.push_retry_at <= now())
        order by c.push_retry_at nulls first, c.id
        limit ${input.limit}
        for update of c skip locked)
    returning m.id, m.profile_id`);
  return rows.map((r) => ({ id: r.id, profileId: r.profile_id }));
}

/**
 * Renews the leases of the mailboxes `workerId` holds for push (`ids`) that still may be
 * held, and their connection slots (`slotOwners`), in one statement. Returns the ids and
 * slot owners renewed: a session whose mailbox is missing was disabled, lost its approval,
 * had push turned off or was taken over, and must close.
 */
export async function renewHeldSessions(
  db: Db,
  input: { workerId: string; ids: string[]; slotOwners: string[]; leaseMs: number },
): Promise<{ ids: Set<string>; slotOwners: Set<string> }> {
  if (input.ids.length === 0) return { ids: new Set(), slotOwners: new Set() };
  const until = sql`now() + ${input.leaseMs} * interval '1 millisecond'`;
  const [row] = await db.execute<{ ids: string[] | null; slots: string[] | null }>(sql`
    with m as (
      update mailboxes c set lease_expires_at = ${until}
        from profiles p
       where p.id = c.profile_id and c.id = any(${sqlUuidArray(input.ids)}) and c.lease_owner = ${input.workerId}
         and ${pushEligible()}
      returning c.id),
    s as (
      update connection_slots set expires_at = ${until}
       where owner = any(${sqlTextArray(input.slotOwners)})
      returning owner)
    select (select array_agg(id::text) from m) as ids, (select array_agg(owner) from s) as slots`);
  return { ids: new Set(row?.ids ?? []), slotOwners: new Set(row?.slots ?? []) };
}

/** Records that the session of a held mailbox is connected (state idle, or noop when the server offers no IDLE). */
export async function markPushConnected(db: Db, input: { mailboxId: string; workerId: string; state: "idle" | "noop" }): Promise<void> {
  await db.execute(sql`
    update mailboxes set push_connected_at = now(), push_state = ${input.state}, push_retry_at = null
     where id = ${input.mailboxId} and lease_owner = ${input.workerId}`);
}

/** Records that a held session lost its connection and is reconnecting (it keeps the lease). */
export async function markPushReconnecting(db: Db, input: { mailboxId: string; workerId: string }): Promise<void> {
  await db.execute(sql`
    update mailboxes set push_connected_at = null, push_state = 'reconnecting'
     where id = ${input.mailboxId} and lease_owner = ${input.workerId}`);
}

/**
 * Gives a held mailbox back to polling: lease off, push state `state` (why it polls),
 * not held again before `retryMs` from now, and due at once when `pollNow` (its settings
 * changed or someone pressed "Sync now": the poll uses the new settings right away).
 */
export async function releaseHeldMailbox(
  db: Db,
  input: { mailboxId: string; workerId: string; state: string; retryMs: number; pollNow: boolean },
): Promise<void> {
  await db.execute(sql`
    update mailboxes set lease_owner = null, lease_expires_at = null, push_connected_at = null,
           push_state = ${input.state},
           push_retry_at = case when ${input.retryMs} > 0 then now() + ${input.retryMs} * interval '1 millisecond' else null end,
           next_sync_at = case when ${input.pollNow} then least(coalesce(next_sync_at, now()), now()) else next_sync_at end
     where id = ${input.mailboxId} and lease_owner = ${input.workerId}`);
}

/**
 * This worker's fair share of push sessions: the mailboxes that may be held, divided by
 * the live workers, rounded up. Live here: seen within 25 s (heartbeats come every 10 s),
 * so a dead worker's share is taken over about when its leases expire.
 */
export async function pushFairShare(db: Db): Promise<number> {
  const [row] = await db.execute<{ pushable: number; workers: number }>(sql`
    select (select count(*)::int from mailboxes c join profiles p on p.id = c.profile_id where ${pushEligible()}) as pushable,
           (select count(*)::int from workers w where w.last_seen_at > now() - interval '25 seconds' and w.stopped_at is null) as workers`);
  return Math.ceil((row?.pushable ?? 0) / Math.max(1, row?.workers ?? 1));
}

function sqlUuidArray(ids: string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

function sqlTextArray(values: string[]): SQL {
  // Postgres array literal with every element quoted (owners contain ':' and '/').
  return sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`}::text[]`;
}
