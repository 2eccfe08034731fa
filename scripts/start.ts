/**
 * `npm start`: everything Mailroom needs, in one command.
 * - DATABASE_URL unset: an embedded Postgres with its data in .data/postgres;
 * - secrets (AUTH_SECRET, MAILROOM_SECRET_KEY) from the environment, else kept in .data/;
 * - migrations applied, the app built if there is no build or the code changed;
 * - the web server (PORT, default 3000) and one worker; Ctrl-C stops all of them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedHandle } from "../db/embedded";
import { runMigrations } from "../db/migrate";
import { buildIsStale } from "./build-freshness";
import { buildStaleProcesses, builtEntry } from "./build-processes";
import { localSecret, makeAuthSecret, makeSealingKey } from "./local-secrets";

const root = path.resolve(import.meta.dirname, "..");
// MAILROOM_DATA_DIR moves it (the npm start test runs in a temporary folder, not the repository's data).
const dataDir = process.env.MAILROOM_DATA_DIR ? path.resolve(process.env.MAILROOM_DATA_DIR) : path.join(root, ".data");
const port = process.env.PORT || "3000";
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const say = (msg: string) => console.log(`[mailroom] ${msg}`);

let pg: EmbeddedHandle | undefined;
const children: ChildProcess[] = [];
let stopping = false;

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pgDir = path.join(dataDir, "postgres");
    say(`DATABASE_URL is not set: starting the embedded Postgres (data in ${pgDir.startsWith(root + path.sep) ? path.relative(root, pgDir) : pgDir})…`);
    pg = await startEmbeddedPostgres({ dataDir: pgDir });
    databaseUrl = pg.url;
    // Printed so a newcomer can look at the data: psql "<url>" while Mailroom runs.
    say(`embedded Postgres: ${pg.url}`);
  }
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: process.env.AUTH_SECRET || localSecret(dataDir, "auth-secret", makeAuthSecret),
    MAILROOM_SECRET_KEY: process.env.MAILROOM_SECRET_KEY || localSecret(dataDir, "secret-key", makeSealingKey),
    PORT: port,
  };

  say("applying migrations…");
  await runMigrations(databaseUrl);

  if (buildIsStale(root)) {
    say("building the app (first start, or the code changed; about a minute)…");
    await run(bin("next"), ["build"], childEnv);
  }
  await buildStaleProcesses(root, say);

  // Own process groups: Ctrl-C reaches us, and we stop the children in order.
  // Our web server, not `next start`: it decides the client's address from the socket (scripts/web-server.ts).
  children.push(spawn(process.execPath, [builtEntry(root, "web"), "-p", port], { cwd: root, env: childEnv, stdio: "inherit", detached: true }));
  // Both built into JavaScript (scripts/build-processes.ts) and run by node itself: no wrapper process between our signals and them.
  children.push(spawn(process.execPath, [builtEntry(root, "worker")], { cwd: root, env: childEnv, stdio: "inherit", detached: true }));
  for (const child of children) {
    child.on("exit", (code, signal) => {
      if (!stopping) {
        say(`a process exited unexpectedly (code ${code}, signal ${signal}); stopping`);
        void shutdown(1);
      }
    });
  }
  say(`Mailroom is running at http://localhost:${port} (Ctrl-C stops it)`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(" ")} failed with code ${code}`))));
  });
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          try {
            process.kill(-child.pid!, "SIGTERM"); // the whole group: next start has its own children
          } catch {
            resolve();
          }
          setTimeout(() => {
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* already gone */
            }
          }, 10_000).unref();
        }),
    ),
  );
  if (pg) {
    await pg.stop().catch(() => {}); // it may have stopped already on the terminal's Ctrl-C
    say("embedded Postgres stopped");
  }
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

main().catch(async (err) => {
  console.error(`[mailroom] could not start: ${err instanceof Error ? err.message : err}`);
  await shutdown(1);
});
