import os from "node:os";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { webProcesses } from "../../db/schema/workers";
import { log } from "../log";
import { processRegistry } from "./process-metrics";

const BEAT_MS = 10_000;
let beating: ReturnType<typeof setInterval> | undefined;

/**
 * Publishes this web process's own counters (handed-in mail) to the database, as
 * a worker's heartbeat does: the app may run several web processes and a scrape
 * reaches only one of them, so /metrics serves every process's series from their
 * rows (labelled `worker="web:<host>:<pid>"`) instead of the scraped process's
 * memory. Called after each hand-in; from the first call on it also beats every
 * 10 s so the row stays live while the process runs.
 */
export async function publishWebMetrics(db: Db): Promise<void> {
  if (!beating) {
    beating = setInterval(() => void write(db).catch((err) => log("warn", "could not publish the web process's counters", { err })), BEAT_MS);
    beating.unref();
  }
  await write(db);
}

async function write(db: Db): Promise<void> {
  const row = { lastSeenAt: sql`now()`, metrics: await processRegistry.getMetricsAsJSON() };
  await db
    .insert(webProcesses)
    .values({ id: `web:${os.hostname()}:${process.pid}`, ...row })
    .onConflictDoUpdate({ target: webProcesses.id, set: row });
}
