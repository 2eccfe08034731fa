import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";

/**
 * Milliseconds until the next mailbox becomes claimable for incoming sync (its next
 * sync time has come and no live lease holds it), looking at most `horizonMs` ahead;
 * undefined when none is due within that. 0 or less: one is due now. The database
 * computes the difference, so the worker's clock does not matter. The conditions
 * mirror claimDueMailboxes'; the worker sleeps this long instead of a fixed second.
 */
export async function nextDueIn(db: Db, horizonMs: number): Promise<number | undefined> {
  const [row] = await db.execute<{ ms: number | null }>(sql`select ${nextDueSql(horizonMs)} as ms`);
  return row?.ms === null || row?.ms === undefined ? undefined : Number(row.ms);
}

/** nextDueIn as a scalar SQL expression (null: none within the horizon), for mailboxes `c` that also meet `and`. */
export function nextDueSql(horizonMs: number, and: SQL = sql`true`): SQL {
  return sql`(
    select (extract(epoch from min(greatest(coalesce(c.next_sync_at, now()), coalesce(c.lease_expires_at, now()))) - now()) * 1000)::float8
      from mailboxes c
     where c.incoming_delivery = 'server_side_sync'
       and c.incoming_enabled
       and c.profile_id is not null
       and coalesce(c.next_sync_at, now()) <= now() + ${horizonMs} * interval '1 millisecond'
       and coalesce(c.lease_expires_at, now()) <= now() + ${horizonMs} * interval '1 millisecond'
       and (c.approved_at is not null
            or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))
       and ${and})`;
}
