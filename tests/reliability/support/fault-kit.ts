// Shared kit of the reliability suites: soak-aware counts, real worker processes with
// known ids, the "a dead worker's leases run out" step, and figure lines for RELIABILITY.md.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { startWorker, type WorkerProcess } from "../../integration/sync/worker-process";

/** MAILROOM_SOAK=1 (npm run test:soak) raises the counts; CI keeps them modest. */
export const soak = process.env.MAILROOM_SOAK === "1";

/** `ci` in `npm test`, `heavy` under MAILROOM_SOAK=1. */
export function count(ci: number, heavy: number): number {
  return soak ? heavy : ci;
}

/** A small seeded PRNG (mulberry32) so a failing run can be replayed with MAILROOM_FAULT_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: MAILROOM_FAULT_SEED or the clock (printed with the figures). */
export const faultSeed = Number(process.env.MAILROOM_FAULT_SEED) || Date.now() % 1_000_000;

/** Prints one figure line; RELIABILITY.md quotes these. */
export function figure(suite: string, text: string): void {
  console.log(`[figure] ${suite}: ${text}`);
}

export type WorkerEnv = { databaseUrl: string; secretKey: string; caFile: string; extra?: Record<string, string> };

let workerCounter = 0;

/** A named worker process (MAILROOM_WORKER_ID), so its leases can be found after a kill -9. */
export async function startNamedWorker(e: WorkerEnv, name = `w${++workerCounter}-${process.pid}`): Promise<{ id: string; proc: WorkerProcess }> {
  const proc = await startWorker({
    DATABASE_URL: e.databaseUrl,
    MAILROOM_SECRET_KEY: e.secretKey,
    MAILROOM_EXTRA_CA_FILE: e.caFile,
    MAILROOM_WORKER_ID: name,
    LOG_LEVEL: "info",
    ...e.extra,
  });
  return { id: name, proc };
}

/**
 * Time travel for a dead worker: its mailbox, outbox and job leases and its connection slots
 * expire now instead of after the 5-minute lease, exactly as they would once that much time
 * had passed. Touches only rows leased to `workerId`.
 */
export async function expireLeasesOf(db: Db, workerId: string): Promise<void> {
  await db.execute(sql`update mailboxes set lease_expires_at = now() - interval '1 second' where lease_owner = ${workerId}`);
  await db.execute(sql`update outbox set lease_expires_at = now() - interval '1 second' where lease_owner = ${workerId}`);
  await db.execute(sql`update jobs set lease_expires_at = now() - interval '1 second' where lease_owner = ${workerId}`);
  await db.execute(sql`update connection_slots set expires_at = now() - interval '1 second' where owner = ${workerId} or owner like ${workerId + "/%"}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
