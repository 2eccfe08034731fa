import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { observeSyncRun, type SyncRun } from "./record-sync-run";
import type { CursorColumns } from "./update-sync-cursor";

/** The mailboxes columns of each cursor field, for the statements that write a cursor with an outcome. */
const CURSOR_COLUMNS: Record<keyof CursorColumns, string> = {
  imapUidValidity: "imap_uid_validity",
  imapLastUid: "imap_last_uid",
  syncedFrom: "synced_from",
  syncProgressDone: "sync_progress_done",
  syncProgressTotal: "sync_progress_total",
};

/** `column = value` for each cursor field set in `c` (a leading comma each, to append to a SET list). */
export function cursorAssignments(c: CursorColumns = {}): SQL {
  const parts = (Object.keys(CURSOR_COLUMNS) as Array<keyof CursorColumns>)
    .filter((k) => c[k] !== undefined)
    .map((k) => {
      const v = c[k];
      return sql`, ${sql.raw(CURSOR_COLUMNS[k])} = ${v instanceof Date ? v.toISOString() : v}${sql.raw(k === "syncedFrom" ? "::timestamptz" : "")}`;
    });
  return sql.join(parts, sql``);
}

/** What a finished, successful sync writes. */
export type SyncDone = {
  mailboxId: string;
  workerId: string;
  /** false: cut by its time budget, due again at once. */
  complete: boolean;
  intervalMs: number;
  /** Cursor and progress columns the sync left to write with its outcome. */
  cursor?: CursorColumns;
  /** For the dashboard (sync_runs) and /metrics. */
  run: Omit<SyncRun, "mailboxId" | "workerId">;
  /** The connection slot the sync holds: freed, or — `keep` — kept for a session kept open until the next poll. */
  slot: { key: string; slot: number; owner: string };
  /** Keep the slot (renewed for `ttlMs`) when at most `limit` slots of its key are live with it; else it is freed. */
  keep?: { ttlMs: number; limit: number };
  /** The server's circuit key: it answered, so its circuit closes. */
  host: string;
};

/**
 * Records a successful sync in one statement (SPEC §4, issue 15: an unchanged sync issues at
 * most four): the outcome and the cursor under the lease check (a worker whose lease was taken
 * writes nothing: `ours` false), the lease given back, the run for the dashboard, the slot freed
 * or kept, and the server's circuit closed. Returns whether the row was ours, the circuit's
 * trips when it had opened (> 0: its owners hear it answers again), whether the slot was kept, and
 * the last sync time it wrote (as text: a kept session closes once another sync wrote a later one).
 * The caller raises the "syncing again" alert after failures, in the same transaction.
 */
export async function recordSyncDone(db: DbOrTx, d: SyncDone): Promise<{ ours: boolean; trips: number; kept: boolean; syncedAt: string | null }> {
  const keep = d.keep ?? { ttlMs: 0, limit: -1 };
  const clear = (col: string) => sql.raw(`${col} = case when outgoing_status = 'failure' then ${col} else null end`);
  const run = d.run;
  const durationMs = Math.min(Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime()), 2_000_000_000);
  // int4 holds 24 days of milliseconds; a longer lag is capped there.
  const lagMs = run.dueAt ? Math.min(Math.max(0, run.startedAt.getTime() - run.dueAt.getTime()), 2_000_000_000) : null;
  const live = sql`(select count(*) from connection_slots where key = ${d.slot.key} and expires_at >= now())`;
  const keepIt = sql`(${d.keep !== undefined} and exists (select 1 from m) and ${live} <= ${keep.limit})`;
  const slotRow = sql`key = ${d.slot.key} and slot = ${d.slot.slot} and owner = ${d.slot.owner}`;
  const [row] = await db.execute<{ ours: boolean; trips: number | null; kept: boolean; synced_at: string | null }>(sql`
    with m as (
      update mailboxes
         set last_sync_at = now(),
             next_sync_at = ${d.complete ? sql`now() + ${Math.round(d.intervalMs)} * interval '1 millisecond'` : sql`now()`},
             incoming_status = 'success', consecutive_failures = 0, first_failure_at = null,
             ${clear("last_error")}, ${clear("last_error_code")}, ${clear("last_error_key")}, ${clear("last_error_params")},
             lease_owner = null, lease_expires_at = null, updated_at = now()
             ${cursorAssignments(d.cursor)}
       where id = ${d.mailboxId} and lease_owner = ${d.workerId}
      returning id, last_sync_at),
    run as (
      insert into sync_runs (mailbox_id, profile_id, protocol, worker_id, result, error_code, stored, lag_ms, duration_ms, finished_at)
      select id, ${run.profileId}, ${run.protocol}, ${d.workerId}, ${run.result}, ${run.errorCode}, ${run.stored}, ${lagMs}, ${durationMs}, ${run.finishedAt.toISOString()}::timestamptz
        from m),
    kept as (
      update connection_slots set expires_at = now() + ${keep.ttlMs} * interval '1 millisecond'
       where ${slotRow} and ${keepIt}
      returning slot),
    freed as (
      delete from connection_slots where ${slotRow} and not ${keepIt}),
    circuit as (
      delete from host_circuits where host = ${d.host} and exists (select 1 from m)
      returning trips)
    select exists (select 1 from m) as ours, (select max(trips) from circuit) as trips, exists (select 1 from kept) as kept,
           (select last_sync_at::text from m) as synced_at`);
  const ours = !!row?.ours;
  if (ours) observeSyncRun({ ...run, mailboxId: d.mailboxId, workerId: d.workerId });
  return { ours, trips: Number(row?.trips ?? 0), kept: !!row?.kept, syncedAt: row?.synced_at ?? null };
}
