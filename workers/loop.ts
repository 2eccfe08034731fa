import type { Db } from "../db/client";
import { log } from "../lib/log";
import { syncMailboxes } from "./steps/sync-mailboxes";
import { runJobs } from "./steps/run-jobs";
import { sendOutbox } from "./steps/send-outbox";

export type LoopContext = { db: Db; workerId: string; signal: AbortSignal };

/** One pass over every kind of due work; returns how many items it handled. */
export type WorkStep = (ctx: LoopContext) => Promise<number>;

// Filled by later features (incoming sync, outbox, jobs).
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
