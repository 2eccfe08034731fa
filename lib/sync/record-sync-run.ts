import type { Db } from "../../db/client";
import { syncRuns } from "../../db/schema/workers";
import { messagesStoredTotal, syncDurationSeconds } from "../metrics/process-metrics";

export type SyncRun = {
  mailboxId: string;
  profileId: string | null;
  protocol: string;
  workerId: string;
  result: string;
  errorCode: string | null;
  stored: number;
  /** When the sync was due (the mailbox's next sync time as claimed); null for a first sync. */
  dueAt: Date | null;
  startedAt: Date;
  finishedAt: Date;
};

/**
 * Records one finished sync (or handed-in delivery) for the dashboard (a sync_runs
 * row: lag, duration, result, error code, how many stored) and for /metrics (this
 * process's duration histogram and stored counter).
 */
export async function recordSyncRun(db: Db, run: SyncRun): Promise<void> {
  const durationMs = Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime());
  const lagMs = run.dueAt ? Math.max(0, run.startedAt.getTime() - run.dueAt.getTime()) : null;
  observeSyncRun(run);
  await db.insert(syncRuns).values({
    mailboxId: run.mailboxId,
    profileId: run.profileId,
    protocol: run.protocol,
    workerId: run.workerId,
    result: run.result,
    errorCode: run.errorCode,
    stored: run.stored,
    // int4 holds 24 days of milliseconds; a longer lag is capped there.
    lagMs: lagMs === null ? null : Math.min(lagMs, 2_000_000_000),
    durationMs: Math.min(durationMs, 2_000_000_000),
    finishedAt: run.finishedAt,
  });
}

/** The /metrics half of recordSyncRun (this process's duration histogram and stored counter), for callers that insert the row themselves. */
export function observeSyncRun(run: SyncRun): void {
  const durationMs = Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime());
  syncDurationSeconds.observe({ protocol: run.protocol, result: run.result }, durationMs / 1000);
  if (run.stored > 0) messagesStoredTotal.inc({ protocol: run.protocol, profile: run.profileId ?? "" }, run.stored);
}
