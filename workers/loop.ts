import type { Db } from "../db/client";
import { log } from "../lib/log";
import { syncMailboxes } from "./steps/sync-mailboxes";
import { runJobs } from "./steps/run-jobs";
import { sendOutbox } from "./steps/send-outbox";

export type LoopContext = { db: Db; workerId: string; signal: AbortSignal };

/**
 * One pass over every kind of due work; returns how many items it handled. A step
 * that leaves work running between passes exposes `drain()`, awaited on shutdown so
 * its leases are released instead of left to expire.
 */
export type WorkStep = ((ctx: LoopContext) => Promise<number>) & { drain?: () => Promise<void> };

const steps: WorkStep[] = [runJobs, syncMailboxes, sendOutbox];

const IDLE_MS = 1000;

/**
 * Runs the steps until `signal` aborts. When a pass found nothing to do it waits
 * a moment (or until aborted) so an idle worker costs almost nothing.
 */
export async function runWorkerLoop(ctx: LoopContext): Promise<void> {
  while (!ctx.signal.aborted) {
    let handled = 0;
    for (const step of steps) {
      if (ctx.signal.aborted) break;
      try {
        handled += await step(ctx);
      } catch (err) {
        log("error", "worker step failed", { workerId: ctx.workerId, step: step.name, err });
      }
    }
    if (handled === 0) await sleep(IDLE_MS, ctx.signal);
  }
  // Stopping: let in-flight work reach its next safe point (they watch the same signal).
  await Promise.all(steps.map((step) => step.drain?.()));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
