import { log } from "../../lib/log";
import { claimDueMailboxes } from "../../lib/sync/claim-due-mailboxes";
import { nextDueIn } from "../../lib/sync/next-due-in";
import { syncMailbox } from "../../lib/sync/sync-mailbox";
import { resolveSyncOptions, type SyncOptions } from "../../lib/sync/sync-options";
import type { WorkStep } from "../loop";
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
export function createSyncMailboxesStep(overrides: Partial<SyncOptions> & { concurrency?: number } = {}): WorkStep {
  const { concurrency = DEFAULT_CONCURRENCY, ...optionOverrides } = overrides;
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
    const options = resolveSyncOptions({ ...optionOverrides, workerId: ctx.workerId, signal: ctx.signal });
    // lanes: each server host gets its fair share of this worker's lanes, so one that hangs cannot take them all.
    const ids = await claimDueMailboxes(ctx.db, { workerId: ctx.workerId, limit: free, leaseMs: options.leaseMs, lanes: concurrency });
    saturated = ids.length >= free;
    if (!saturated) due.plan(await nextDueIn(ctx.db, IDLE_MS), ids.length);
    for (const id of ids) {
      const lane: Promise<void> = syncMailbox(ctx.db, id, options)
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
    return ids.length;
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
  // On shutdown the syncs stop at their next batch boundary and record their outcome.
  step.drain = async () => {
    await Promise.allSettled([...running]);
  };
  return step;
}

/** The step registered in workers/loop.ts. */
export const syncMailboxes = createSyncMailboxesStep();
