/**
 * The web server: Next.js, with one step in front of it that only a server owning the
 * socket can do. Next fills in X-Forwarded-For/-Proto/-Host only when a request does
 * not carry them, and gives route handlers and actions no socket, so a client could
 * pick its own address (and dodge the sign-in throttle) or claim HTTPS. Here each
 * request's forwarded headers are rewritten from the socket and MAILROOM_TRUSTED_PROXIES
 * (lib/server/stamp-forwarded-headers.ts) before Next sees it.
 *
 * In production it runs one process per core behind the one port (node:cluster: the
 * primary accepts connections and hands them to the workers in turn); Next renders on
 * one thread per process, so one process would leave the other cores idle.
 * MAILROOM_WEB_PROCESSES sets the number (1 = no cluster). Nothing a request needs
 * lives in one process's memory: sessions, the sign-in throttle and job progress are
 * in Postgres.
 *
 *   node dist/web/index.mjs [-p PORT] [-H HOST]          built (scripts/build-processes.ts), as npm start runs it
 *   node --import tsx scripts/web-server.ts --dev          from source, with Next's dev server (npm run dev)
 */
import cluster from "node:cluster";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { env } from "../lib/env";
import { parseTrustedProxies } from "../lib/server/resolve-forwarded";
import { stampForwardedHeaders } from "../lib/server/stamp-forwarded-headers";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" }, dev: { type: "boolean" } },
});
const dev = values.dev === true;
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname;
// Before Next is loaded: it picks React's production or development build from this.
(process.env as Record<string, string>).NODE_ENV ??= dev ? "development" : "production";

const processes = dev ? 1 : (env().MAILROOM_WEB_PROCESSES ?? os.availableParallelism());
if (processes > 1 && cluster.isPrimary) {
  await runPrimary(processes);
} else {
  await serve();
}

/** The cluster's primary: starts the processes, replaces one that dies, stops them all on a signal. */
async function runPrimary(count: number): Promise<void> {
  let stopping = false;
  let ready = 0;
  const fork = () =>
    cluster.fork().once("listening", () => {
      if (++ready === count) process.stdout.write(`web server ready on http://${hostname ?? "localhost"}:${port} (${count} processes)\n`);
    });
  for (let i = 0; i < count; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`web server process ${worker.process.pid} exited (code ${code}, signal ${signal}); starting another\n`);
    ready--;
    // Not in a tight loop if it dies at once (a broken build, a bad environment).
    // (A signal to the whole process group may reach a worker before the primary: check again then.)
    setTimeout(() => {
      if (!stopping) fork();
    }, 1_000);
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      setTimeout(() => process.exit(0), 6_000).unref();
    });
  }
}

async function serve(): Promise<void> {
  const trust = parseTrustedProxies(env().MAILROOM_TRUSTED_PROXIES);
  const { default: next } = await import("next");
  const app = next({ dev, dir: projectRoot(path.dirname(fileURLToPath(import.meta.url))), hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = http.createServer((req, res) => {
    stampForwardedHeaders(req, trust);
    void handle(req, res);
  });
  if (dev) {
    const upgrade = app.getUpgradeHandler();
    server.on("upgrade", (req, socket, head) => {
      stampForwardedHeaders(req, trust);
      void upgrade(req, socket, head);
    });
  }
  server.listen(port, hostname, () => {
    if (cluster.isPrimary) process.stdout.write(`web server ready on http://${hostname ?? "localhost"}:${port}\n`);
  });

  // `on`, not `once`: a signal to the process group (Ctrl-C) reaches a cluster process twice, from the
  // terminal and from the primary, and a second signal with no handler would kill it mid-request.
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      server.close(() => process.exit(0));
      // Open keep-alive connections would hold close() forever.
      server.closeIdleConnections();
      setTimeout(() => process.exit(0), 5_000).unref();
    });
  }
}

/** The repository root above this file (scripts/ from source, dist/web/ when built): the folder with next.config.js. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "next.config.js"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`next.config.js not found above ${from}`);
  }
}
