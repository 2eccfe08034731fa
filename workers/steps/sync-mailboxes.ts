import { log } from "../../lib/log";
import { env } from "../../lib/env";
import { claimDueMailboxRows } from "../../lib/sync/claim-due-mailboxes";
import { createKeptSessions, type KeptSessions } from "../../lib/sync/kept-sessions";
import { syncMailbox } from "../../lib/sync/sync-mailbox";
import { resolveSyncOptions, type SyncOptions } from "../../lib/sync/sync-options";
import type { LoopContext, WorkStep } from "../loop";
import { createDueTimer, IDLE_MS } from "./due-timer";

/**
 * How many mailboxes one worker process syncs at once. A sync mostly waits on the
 * mail server and Postgres (a worker used ~15% of a core at 4 lanes), so lanes are
 * cheap; each mailbox's connection budget (connection_slots) still caps what one
 * server sees, and each server host holds at most its fair share of the lanes
 * (lib/sync/claim-due-mailboxes.ts).
 */
const DEFAULT_CONCURRENCY = 24;

/**
 * The worker step for incoming mail. Each pass claims as many due mailboxes as
 * it has free lanes and starts their syncs without waiting for them, so a slow
 * mailbox holds one lane (for at most its time budget) and never the loop, the
 * other lanes or the other steps. Returns how many syncs it started. While every
 * lane is busy (or the last claim took all it asked for, so more may be due) its
 * `wake()` settles when a lane frees, so the loop claims again at once instead of
 * after its idle sleep; otherwise it settles when the next mailbox is due (due-timer.ts).
 */
export function createSyncMailboxesStep(overrides: Partial<SyncOptions> & { concurrency?: number; keptConnections?: number } = {}): WorkStep {
  const { concurrency = DEFAULT_CONCURRENCY, keptConnections: keptCap, ...optionOverrides } = overrides;
  // The IMAP sessions kept between polls (created on the first pass: the cap is read from the environment then).
  let kept: KeptSessions | undefined;
  let unsubscribe: (() => void) | undefined;
  const running = new Set<Promise<void>>();
  // Whether a freed lane may find due work the last pass could not claim.
  let saturated = false;
  let laneFreed: { promise: Promise<void>; resolve: () => void } | undefined;
  const due = createDueTimer(IDLE_MS);
  const step: WorkStep = async function syncMailboxes(ctx) {
    const free = concurrency - running.size;
    if (free <= 0 || ctx.signal.aborted) {
      saturated = free <= 0;
      return 0;
    }
    kept ??= keptSessionsFor(ctx, keptCap ?? env().MAILROOM_KEPT_CONNECTIONS, optionOverrides);
    if (!unsubscribe && ctx.events && kept) {
      const pool = kept;
      // A change to a kept mailbox, its profile or the organisation's settings: check at once whether its session may stay.
      unsubscribe = ctx.events.on((e) => pool.holds(e) && pool.checkSoon());
    }
    const options = resolveSyncOptions({ ...optionOverrides, workerId: ctx.workerId, signal: ctx.signal, kept });
    // lanes: each server host gets its fair share of this worker's lanes, so one that hangs cannot take them all.
    const { rows, nextDueMs } = await claimDueMailboxRows(ctx.db, { workerId: ctx.workerId, limit: free, leaseMs: options.leaseMs, lanes: concurrency, horizonMs: IDLE_MS });
    saturated = rows.length >= free;
    // The claim says when the next mailbox it did not take is due (no statement of its own).
    if (!saturated) due.plan(nextDueMs, rows.length);
    for (const row of rows) {
      const id = row.mailbox.id;
      const lane: Promise<void> = syncMailbox(ctx.db, row, options)
        .then(() => undefined)
        .catch((err) => log("error", "sync crashed; the mailbox is retried when its lease expires", { mailboxId: id, workerId: ctx.workerId, err }))
        .finally(() => {
          running.delete(lane);
          const waiting = laneFreed;
          laneFreed = undefined;
          waiting?.resolve();
        });
      running.add(lane);
    }
    return rows.length;
  };
  step.wake = () => {
    if (!saturated || running.size === 0) return due.wait();
    if (!laneFreed) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      laneFreed = { promise, resolve };
    }
    return laneFreed.promise;
  };
  // On shutdown the syncs stop at their next batch boundary and record their outcome; then the kept sessions close.
  step.drain = async () => {
    unsubscribe?.();
    await Promise.allSettled([...running]);
    await kept?.closeAll();
  };
  return step;
}

/** The step registered in workers/loop.ts. */
export const syncMailboxes = createSyncMailboxesStep();

/** The pool of kept sessions for a worker, or undefined when the cap is 0. */
function keptSessionsFor(ctx: LoopContext, cap: number, o: Partial<SyncOptions>): KeptSessions | undefined {
  if (cap <= 0) return undefined;
  const options = resolveSyncOptions({ ...o, workerId: ctx.workerId });
  return createKeptSessions({
    db: ctx.db,
    workerId: ctx.workerId,
    cap,
    // As a sync's slot: a crashed worker's kept slots expire like its syncs'.
    slotTtlMs: options.leaseMs,
    checkEveryMs: Math.min(10_000, Math.max(1_000, Math.floor(options.leaseMs / 6))),
    // Inside imapflow's socket timeout (mail timeout + 1 s), far inside any server's autologout.
    keepaliveMs: Math.max(1_000, Math.floor(options.mailTimeoutMs / 2)),
  });
}
