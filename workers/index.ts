import os from "node:os";
import { createDb } from "../db/client";
import { databaseUrl, env } from "../lib/env";
import { log } from "../lib/log";
import { runWorkerLoop } from "./loop";

/**
 * The worker process: claims due work from the database and carries it out.
 * Any number may run at once; Postgres row locks keep them apart. SIGTERM/SIGINT
 * stop it after the current step, and it closes its pool before exiting.
 */
async function main() {
  const e = env();
  const workerId = e.MAILROOM_WORKER_ID ?? `${os.hostname()}:${process.pid}`;
  const { db, close } = createDb(databaseUrl(e), { max: 5 });
  const abort = new AbortController();
  const stop = (signal: string) => {
    if (abort.signal.aborted) return;
    log("info", "worker stopping", { workerId, signal });
    abort.abort();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  log("info", "worker started", { workerId, pid: process.pid });
  try {
    await runWorkerLoop({ db, workerId, signal: abort.signal });
  } finally {
    await close();
    log("info", "worker stopped", { workerId });
  }
}

main().catch((err) => {
  log("error", "worker crashed", { err });
  process.exit(1);
});
