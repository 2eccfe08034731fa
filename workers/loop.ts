import type { Db } from "../db/client";
import { log } from "../lib/log";
import { heartbeat } from "./steps/heartbeat";
import { syncMailboxes } from "./steps/sync-mailboxes";
import { holdPushSessions } from "./steps/hold-push-sessions";
import { runJobs } from "./steps/run-jobs";
import { sendOutbox } from "./steps/send-outbox";
import { appendSent } from "./steps/append-sent";
import { watchMailboxes } from "./steps/watch-mailboxes";
import { keepOAuthAlive } from "./steps/keep-oauth-alive";
import type { SyncEvents } from "./sync-events";
import { IDLE_MS } from "./steps/due-timer";

export type LoopContext = {
  db: Db;
  workerId: string;
  signal: AbortSignal;
  /** The database's change notifications (LISTEN); without them the loop wakes on its timers only. */
  events?: SyncEvents;
};

/**
 * One pass over every kind of due work; returns how many items it handled. A step
 * that leaves work running between passes exposes `drain()`, awaited on shutdown so
 * its leases are released instead of left to expire, and may expose `wake()`: a
 * promise that settles when it could take more work again (a lane freed while it
 * was full), or undefined when it has no reason to wake the loop early.
 */
export type WorkStep = ((ctx: LoopContext) => Promise<number>) & {
  drain?: () => Promise<void>;
  wake?: () => Promise<void> | undefined;
  /** Drain only after every other step's drain settled (the heartbeat: it marks the worker gone, which must come last). */
  drainLast?: boolean;
};

const DEFAULT_STEPS: WorkStep[] = [heartbeat, runJobs, syncMailboxes, holdPushSessions, sendOutbox, appendSent, watchMailboxes, keepOAuthAlive];


/**
 * Runs the steps until `signal` aborts. When a pass found nothing to do it waits
 * a moment (or until aborted) so an idle worker costs almost nothing — but it wakes
 * early when a step asks: a step that was full has room again (a fixed sleep there
 * would cap a worker at lanes ÷ 1 s syncs per second), the next mailbox is due, or
 * the database notified a change ("Sync now", test & enable, new settings).
 */
export async function runWorkerLoop(ctx: LoopContext, steps: WorkStep[] = DEFAULT_STEPS): Promise<void> {
  while (!ctx.signal.aborted) {
    // This pass looks at everything, so what was notified before it starts is seen.
    ctx.events?.consume();
    let handled = 0;
    for (const step of steps) {
      if (ctx.signal.aborted) break;
      try {
        handled += await step(ctx);
      } catch (err) {
        log("error", "worker step failed", { workerId: ctx.workerId, step: step.name, err });
      }
    }
    if (handled === 0) await sleep(IDLE_MS, ctx.signal, [...steps.map((step) => step.wake?.()), ctx.events?.next()]);
  }
  // Stopping: let in-flight work reach its next safe point (they watch the same signal) and record it;
  // only then is the worker marked gone, so the dashboard never shows a stopped worker still syncing.
  await Promise.allSettled(steps.filter((step) => !step.drainLast).map((step) => step.drain?.()));
  await Promise.allSettled(steps.filter((step) => step.drainLast).map((step) => step.drain?.()));
}

/** Waits `ms`, or less when aborted or when one of `wakers` settles first. */
function sleep(ms: number, signal: AbortSignal, wakers: Array<Promise<void> | undefined> = []): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    for (const w of wakers) w?.then(done, done);
    function done() {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
