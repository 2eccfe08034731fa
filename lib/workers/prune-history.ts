import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/** The dashboard shows at most 7 days; a day more keeps the oldest hour whole. */
const SYNC_RUNS_KEPT = "8 days";
/** A gone worker stays listed (as gone) for a day. */
const WORKERS_KEPT = "1 day";

/**
 * Deletes monitoring history nobody reads any more: sync runs older than eight
 * days and workers (and web processes' counters) unseen for a day. Any worker may run it; it is idempotent.
 */
export async function pruneHistory(db: Db): Promise<{ syncRuns: number; workers: number }> {
  const runs = await db.execute(sql`delete from sync_runs where finished_at < now() - ${SYNC_RUNS_KEPT}::interval`);
  const gone = await db.execute(sql`delete from workers where last_seen_at < now() - ${WORKERS_KEPT}::interval`);
  await db.execute(sql`delete from web_processes where last_seen_at < now() - ${WORKERS_KEPT}::interval`);
  return { syncRuns: runs.count ?? 0, workers: gone.count ?? 0 };
}
