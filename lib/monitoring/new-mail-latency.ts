import { sql, type SQL } from "drizzle-orm";

/**
 * The new-mail latency samples of mailbox `m` (an alias in the caller's query):
 * seconds from arrival at the mail server to stored here, for messages stored
 * since `since`. Mail that arrived before the mailbox was last tested and enabled
 * is old mail being imported (a first sync, a backfill), not new mail arriving
 * late, so it is left out. Uses emails_list_idx (mailbox, stored_at).
 */
export function newMailLatencySamples(m: SQL, since: SQL | string): SQL {
  return sql`
    select extract(epoch from e.stored_at - e.arrived_at)::float8 as seconds
      from emails e
     where e.mailbox_id = ${m}.id
       and e.stored_at >= ${since}::timestamptz
       and e.arrived_at is not null
       and e.arrived_at >= coalesce(${m}.last_tested_at, ${m}.created_at)`;
}
