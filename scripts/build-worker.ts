/**
 * Builds the worker into plain JavaScript: `dist/worker/index.cjs` (the process) and
 * `dist/worker/parse-task.cjs` (what a parse thread runs), bundled with esbuild, which tsx
 * already brings. Why: under `node --import tsx` every process also runs tsx's module-loader
 * thread and compiles TypeScript as it loads, which cost ~60 MB of the worker's idle memory
 * (154 MB against 90 MB bundled, measured side by side). Packages stay in node_modules
 * (`packages: "external"`), so the bundle lives two levels below the repository root, where
 * Node finds them and workers/steps/heartbeat.ts finds package.json.
 *
 *   npx tsx scripts/build-worker.ts            build
 *   npx tsx scripts/build-worker.ts --if-stale build only when a source changed since
 */
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { isStaleSince } from "./build-freshness";

const SOURCES = ["workers", "lib", "db", "package-lock.json", "tsconfig.json", "scripts/build-worker.ts"];

/** The bundle's entry for `root`, in `dist/<name>` (name: "worker" for npm start; tests build their own). */
export function workerEntry(root: string, name = "worker"): string {
  return path.join(root, "dist", name, "index.cjs");
}

/** True when there is no bundle, or a source changed after it was built. */
export function workerBuildIsStale(root: string, name = "worker"): boolean {
  return isStaleSince(root, workerEntry(root, name), SOURCES);
}

/** Bundles the worker into dist/<name> (built beside, then renamed into place, so a running build's readers never see half of it). */
export async function buildWorker(root: string, name = "worker"): Promise<string> {
  const dir = path.dirname(workerEntry(root, name));
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { index: "workers/index.ts", "parse-task": "lib/mail/parse-task.ts" },
    outdir: tmp,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    // CommonJS has no import.meta: each file gets its own URL, and the parse pool starts the bundled task.
    banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    define: { "import.meta.url": "__importMetaUrl", MAILROOM_BUNDLED_PARSE_TASK: JSON.stringify("./parse-task.cjs") },
    logLevel: "warning",
  });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return workerEntry(root, name);
}

// Run as a command (not imported by start.ts, the bench or the tests).
if (process.argv[1] && import.meta.filename && path.resolve(process.argv[1]) === import.meta.filename) {
  const root = path.resolve(import.meta.dirname, "..");
  if (!process.argv.includes("--if-stale") || workerBuildIsStale(root)) {
    const entry = await buildWorker(root);
    console.log(`[mailroom] worker built: ${path.relative(root, entry)}`);
  }
}
