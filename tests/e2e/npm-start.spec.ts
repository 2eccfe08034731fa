// `npm start` itself (scripts/start.ts), and the web server across a Postgres restart.
// Both run after `npm test` has built the app, so start.ts finds a fresh build and skips
// building: each test costs seconds, not a build.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort, startEmbeddedPostgres, tempDataDir } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";

const root = path.resolve(import.meta.dirname, "../..");

/** Every process whose environment carries `marker` (what start.ts and all it started inherit). */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(marker)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** GET `url` until `ok` says yes (each try bounded), or fail after `timeoutMs`. */
async function waitForAnswer(url: string, ok: (status: number) => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    try {
      last = (await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) })).status;
      if (ok(last)) return last;
    } catch {
      last = 0; // not listening (yet), or no answer
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never answered as expected (last status ${last})`);
}

function collect(child: ChildProcess): () => string {
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  return () => out;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));

test("npm start with DATABASE_URL unset: embedded Postgres, migrations, no rebuild of a fresh build, web and worker up; Ctrl-C leaves no process behind", async () => {
  test.setTimeout(180_000);
  const dataDir = tempDataDir("mailroom-start-");
  const port = await freePort();
  const marker = `MAILROOM_DATA_DIR=${dataDir}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), MAILROOM_DATA_DIR: dataDir };
  for (const name of ["DATABASE_URL", "E2E_DATABASE_URL", "TEST_DATABASE_URL", "AUTH_SECRET", "MAILROOM_SECRET_KEY"]) delete env[name];
  // Its own process group, as a terminal runs it: Ctrl-C is SIGINT to the whole group.
  const start = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/start.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const output = collect(start);
  const stopped = exited(start);
  try {
    await expect.poll(output, { timeout: 120_000, message: "npm start says it runs" }).toContain("Mailroom is running");
    expect(output()).toContain("DATABASE_URL is not set: starting the embedded Postgres");
    expect(output()).toContain("applying migrations");
    expect(output(), "the build is fresh: no rebuild").not.toContain("building the app");
    // A new database: the setup page, which reads the users table, opens.
    expect(await waitForAnswer(`http://127.0.0.1:${port}/setup`, (s) => s === 200, 30_000)).toBe(200);
    await expect.poll(output, { timeout: 60_000, message: "the worker starts" }).toContain('"msg":"worker started"');
    // Secrets were made and kept in the data folder, not the repository's.
    expect(fs.existsSync(path.join(dataDir, "auth-secret")) && fs.existsSync(path.join(dataDir, "secret-key"))).toBe(true);
    expect(processesWith(marker).length, "start.ts, Postgres, the web server and the worker").toBeGreaterThanOrEqual(4);

    process.kill(-start.pid!, "SIGINT");
    const code = await Promise.race([stopped, new Promise<string>((r) => setTimeout(() => r("still running after 60 s"), 60_000))]);
    // 130: tsx (what npm start runs) reports a stop by SIGINT the way shells do.
    expect([0, 130], output().slice(-2000)).toContain(code);
    await expect.poll(() => processesWith(marker), { timeout: 15_000, message: "no process of npm start is left" }).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, "postgres", "postmaster.pid")), "Postgres shut down").toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  } finally {
    for (const pid of processesWith(marker)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the web server keeps serving after Postgres restarts under it", async () => {
  test.setTimeout(120_000);
  const dir = tempDataDir("mailroom-pg-restart-");
  const pgPort = await freePort();
  let pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: pgPort });
  await runMigrations(pg.url);
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: pg.url, PORT: String(port) };
  const web = spawn(process.execPath, ["--import", "tsx", "scripts/web-server.ts", "-p", String(port), "-H", "127.0.0.1"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const output = collect(web);
  const setup = `http://127.0.0.1:${port}/setup`;
  try {
    expect(await waitForAnswer(setup, (s) => s === 200, 60_000)).toBe(200);
    await pg.stop();
    // Database gone: the page fails (it must not hang or kill the server).
    expect(await waitForAnswer(setup, (s) => s >= 500, 30_000)).toBeGreaterThanOrEqual(500);
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: pgPort });
    // Back on the same port: the same server process answers again from the database.
    expect(await waitForAnswer(setup, (s) => s === 200, 60_000)).toBe(200);
    expect(web.exitCode, output().slice(-2000)).toBeNull();
  } finally {
    try {
      process.kill(-web.pid!, "SIGTERM");
    } catch {
      // gone
    }
    await pg.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
