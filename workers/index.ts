import os from "node:os";
import { createDb } from "../db/client";
import { databaseUrl, env } from "../lib/env";
import { log } from "../lib/log";
import { closeParsePool, startParsePool } from "../lib/mail/parse-pool";
import { runWorkerLoop } from "./loop";
import { createSyncEvents, listenForSyncEvents } from "./sync-events";
import { isClosedSocketWrite, isLostDatabaseQuery, isPeerReset } from "./tolerated-errors";

/**
 * The worker process: claims due work from the database and carries it out.
 * Any number may run at once; Postgres row locks keep them apart. SIGTERM/SIGINT
 * stop it after the current step, and it closes its pool before exiting.
 */
async function main() {
  const e = env();
  const workerId = e.MAILROOM_WORKER_ID ?? `${os.hostname()}:${process.pid}`;
  // Shared by the sync lanes (up to 24 at once) and the other steps.
  const { db, close, listen } = createDb(databaseUrl(e), { max: 10 });
  const events = createSyncEvents();
  // Without LISTEN the worker still works, on its timers (due times, the 1 s idle cap).
  const listening = await listenForSyncEvents(listen, events).catch((err) => {
    log("warn", "could not listen for changes; the worker polls instead", { workerId, err });
    return undefined;
  });
  const abort = new AbortController();
  const stop = (signal: string) => {
    if (abort.signal.aborted) return;
    log("info", "worker stopping", { workerId, signal });
    abort.abort();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  await startParsePool();
  log("info", "worker started", { workerId, pid: process.pid });
  try {
    await runWorkerLoop({ db, workerId, signal: abort.signal, events });
  } finally {
    await listening?.unlisten().catch(() => {});
    await close();
    await closeParsePool();
    log("info", "worker stopped", { workerId });
  }
}

process.on("uncaughtException", (err, origin) => {
  if (isLostDatabaseQuery(err, origin)) {
    log("warn", "a database query failed with the connection and nothing was waiting for it; carrying on", { err, stack: err.stack });
    return;
  }
  if (isClosedSocketWrite(err)) {
    log("warn", "database connection closed under a pending write; the pool reconnects", { err });
    return;
  }
  if (isPeerReset(err)) {
    log("warn", "a connection was reset with no one listening; carrying on", { err, stack: err.stack });
    return;
  }
  log("error", "worker crashed", { err, origin, stack: err.stack });
  process.exit(1);
});

main().catch((err) => {
  log("error", "worker crashed", { err });
  process.exit(1);
});
