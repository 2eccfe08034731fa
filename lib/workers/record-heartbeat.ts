import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { workers } from "../../db/schema/workers";
import { heldForPush } from "../sync/push-sessions-sql";

export type Heartbeat = {
  id: string;
  host: string;
  pid: number;
  version: string;
  startedAt: Date;
  /** The process's counters (prom-client getMetricsAsJSON), published for /metrics. */
  metrics: unknown[];
};

/**
 * Writes a worker's heartbeat: its identity, now as last seen, how many lanes it
 * has busy (the mailboxes and outgoing emails it holds a live lease on — a mailbox
 * held open for push is not a busy lane — counted
 * from the leases themselves so the number is the database's truth) and its
 * counters. A worker id reused after a restart takes the row over.
 */
export async function recordHeartbeat(db: Db, hb: Heartbeat): Promise<void> {
  const busy = sql`(
    (select count(*) from mailboxes m where m.lease_owner = ${hb.id} and m.lease_expires_at > now() and not ${heldForPush("m")})
    + (select count(*) from outbox where lease_owner = ${hb.id} and status = 'sending' and lease_expires_at > now()))::int`;
  const row = { host: hb.host, pid: hb.pid, version: hb.version, startedAt: hb.startedAt, lastSeenAt: sql`now()`, stoppedAt: null, lanesBusy: busy, metrics: hb.metrics };
  await db
    .insert(workers)
    .values({ id: hb.id, ...row })
    .onConflictDoUpdate({ target: workers.id, set: row });
}
