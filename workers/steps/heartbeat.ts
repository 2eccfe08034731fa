import { createRequire } from "node:module";
import os from "node:os";
import { log } from "../../lib/log";
import { processRegistry } from "../../lib/metrics/process-metrics";
import { markWorkerStopped } from "../../lib/workers/mark-worker-stopped";
import { pruneHistory } from "../../lib/workers/prune-history";
import { recordHeartbeat } from "../../lib/workers/record-heartbeat";
import type { WorkStep } from "../loop";

const version: string = createRequire(import.meta.url)("../../package.json").version;

export type HeartbeatOptions = { everyMs: number; pruneEveryMs: number };

/**
 * The worker step that says "alive": about every `everyMs` it writes the
 * worker's row (host, pid, version, lanes busy, counters); a worker unseen for a
 * minute is gone. About hourly it also prunes old monitoring history. It never
 * counts as handled work, so it does not keep an idle loop spinning; on
 * shutdown it marks the worker stopped.
 */
export function createHeartbeatStep(overrides: Partial<HeartbeatOptions> = {}): WorkStep {
  const o: HeartbeatOptions = { everyMs: 10_000, pruneEveryMs: 60 * 60_000, ...overrides };
  const startedAt = new Date();
  let lastBeat = 0;
  let lastPrune = 0;
  let db: Parameters<WorkStep>[0]["db"] | undefined;
  let workerId = "";
  const step: WorkStep = async function heartbeat(ctx) {
    db = ctx.db;
    workerId = ctx.workerId;
    const now = Date.now();
    if (now - lastBeat < o.everyMs) return 0;
    lastBeat = now;
    const metrics = await processRegistry.getMetricsAsJSON();
    await recordHeartbeat(ctx.db, { id: ctx.workerId, host: os.hostname(), pid: process.pid, version, startedAt, metrics });
    if (now - lastPrune >= o.pruneEveryMs) {
      lastPrune = now;
      const pruned = await pruneHistory(ctx.db);
      if (pruned.syncRuns + pruned.workers > 0) log("info", "monitoring history pruned", { workerId, ...pruned });
    }
    return 0;
  };
  step.drain = async () => {
    if (db) await markWorkerStopped(db, workerId).catch((err) => log("warn", "could not mark the worker stopped", { workerId, err }));
  };
  // After the syncs and sessions drained: a worker marked stopped has nothing in flight.
  step.drainLast = true;
  return step;
}

/** The step registered in workers/loop.ts. */
export const heartbeat = createHeartbeatStep();
