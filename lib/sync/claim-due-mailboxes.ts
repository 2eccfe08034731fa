import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/**
 * Claims up to `limit` mailboxes that are due for incoming sync and not leased by
 * a live worker, and leases them to `workerId` for `leaseMs`. Due: server-side
 * sync for incoming, enabled, approved (when the org processes approved mailboxes
 * only), with a profile, and its next sync time has come (or was never set).
 * `FOR UPDATE SKIP LOCKED` keeps concurrent workers from claiming the same row;
 * an expired lease (a crashed worker) is simply claimable again.
 */
export async function claimDueMailboxes(db: Db, input: { workerId: string; limit: number; leaseMs: number }): Promise<string[]> {
  if (input.limit <= 0) return [];
  const rows = await db.execute<{ id: string }>(sql`
    update mailboxes m
       set lease_owner = ${input.workerId},
           lease_expires_at = now() + ${input.leaseMs} * interval '1 millisecond'
     where m.id in (
       select c.id from mailboxes c
        where c.incoming_delivery = 'server_side_sync'
          and c.incoming_enabled
          and c.profile_id is not null
          and (c.next_sync_at is null or c.next_sync_at <= now())
          and (c.lease_expires_at is null or c.lease_expires_at < now())
          and (c.approved_at is not null
               or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))
        order by c.next_sync_at nulls first
        limit ${input.limit}
        for update skip locked)
    returning m.id`);
  return rows.map((r) => r.id);
}
