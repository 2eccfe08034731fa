/**
 * `npm test`: every test, with the services they need.
 * 1. lint (the import boundary) and type-check;
 * 2. Postgres: TEST_DATABASE_URL / DATABASE_URL if set, else an embedded one for this run;
 * 3. vitest (unit + integration; they start Dovecot and SMTP servers themselves);
 * 4. build the app if stale, make a fresh database, run Playwright in Chromium;
 * 5. print one line "N passed, N failed, N skipped" summed from both JSON reports; a suite
 *    that could not start, an unhandled error or a runner's non-zero exit counts as a failure
 *    (scripts/test-report.ts), and the exit code follows the line.
 * Pass `--unit` or `--e2e` to run only one half; extra arguments go to that runner.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres, freePort, tempDataDir } from "../db/embedded";
import { runMigrations } from "../db/migrate";
import { withDatabase } from "../tests/harness/postgres-server";
import { createTestPki } from "../tests/harness/tls";
import { buildIsStale } from "./build-freshness";
import { ensureChromium } from "./ensure-chromium";
import { countPlaywright, countVitest, summarize, type RunnerOutcome } from "./test-report";

const root = path.resolve(import.meta.dirname, "..");
const reports = path.join(root, ".reports");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const only = args.find((a) => a === "--unit" || a === "--e2e");
const passThrough = args.filter((a) => a !== "--unit" && a !== "--e2e");

function run(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { env, stdio: "inherit", cwd: root });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  fs.rmSync(reports, { recursive: true, force: true });
  fs.mkdirSync(reports, { recursive: true });
  let failedSteps = 0;
  const runners: RunnerOutcome[] = [];

  if (!only) {
    console.log("\n== lint and type-check ==");
    if ((await run(bin("eslint"), ["."])) !== 0) failedSteps++;
    if ((await run(bin("tsc"), ["--noEmit"])) !== 0) failedSteps++;
  }

  let adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  let stopPg = async () => {};
  if (!adminUrl) {
    const dir = tempDataDir("mailroom-test-");
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data") });
    adminUrl = pg.url;
    stopPg = async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const env = { ...process.env, TEST_DATABASE_URL: adminUrl };

  try {
    if (only !== "--e2e") {
      console.log("\n== vitest: unit and integration ==");
      const unhandledFile = path.join(reports, "vitest-unhandled.json");
      const vitestArgs = ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${path.join(reports, "vitest.json")}`, "--reporter=./scripts/vitest-unhandled-reporter.ts"];
      const code = await run(bin("vitest"), [...vitestArgs, ...(only ? passThrough : [])], { ...env, MAILROOM_VITEST_UNHANDLED: unhandledFile });
      runners.push({ name: "vitest", counts: countVitest(path.join(reports, "vitest.json"), unhandledFile), exitCode: code });
    }
    if (only !== "--unit") {
      console.log("\n== Playwright: browser tests in Chromium ==");
      await ensureChromium();
      if (buildIsStale(root)) {
        console.log("building the app…");
        if ((await run(bin("next"), ["build"], env)) !== 0) return report(runners, failedSteps + 1);
      }
      const dbName = `mailroom_e2e_${process.pid}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
      await admin.unsafe(`create database "${dbName}"`);
      const e2eUrl = withDatabase(adminUrl, dbName);
      // One test CA for the run: browser tests start Dovecot/SMTP with it (MAILROOM_E2E_PKI_DIR),
      // and the web server and worker trust it as a private mail server's CA.
      const pki = createTestPki();
      await runMigrations(e2eUrl);
      const discoveryDnsPort = await freePort();
      const discoveryWebPort = await freePort();
      try {
        const code = await run(bin("playwright"), ["test", ...(only ? passThrough : [])], {
          ...env,
          E2E_DATABASE_URL: e2eUrl,
          E2E_PORT: process.env.E2E_PORT || String(await freePort()),
          AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
          MAILROOM_SECRET_KEY: `e2e:${crypto.randomBytes(32).toString("base64")}`,
          MAILROOM_EXTRA_CA_FILE: pki.caFile,
          MAILROOM_E2E_PKI_DIR: pki.dir,
          // Settings discovery on loopback: tests/e2e/discovery.spec.ts starts a DNS stub and an HTTPS
          // autoconfig server on these ports; the app asks only them (nothing leaves the machine).
          MAILROOM_DISCOVERY_DNS_SERVERS: `127.0.0.1:${discoveryDnsPort}`,
          MAILROOM_DISCOVERY_AUTOCONFIG_BASE: `https://127.0.0.1:${discoveryWebPort}`,
        });
        runners.push({ name: "playwright", counts: countPlaywright(path.join(reports, "playwright.json")), exitCode: code });
      } finally {
        await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
        await admin.end();
      }
    }
  } finally {
    await stopPg();
  }
  return report(runners, failedSteps);
}

function report(runners: RunnerOutcome[], failedSteps: number): number {
  const { lines, exitCode } = summarize(runners, failedSteps);
  console.log("");
  for (const line of lines) console.log(line);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log(`0 passed, 1 failed, 0 skipped`);
    process.exit(1);
  },
);
