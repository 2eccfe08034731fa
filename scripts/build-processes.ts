/**
 * Builds Mailroom's own processes into plain JavaScript with esbuild (which tsx already
 * brings), as npm start runs them:
 * - `dist/worker/index.cjs`, the worker, and `dist/worker/parse-task.cjs`, what a parse thread runs;
 * - `dist/web/index.mjs`, the web server in front of Next.js (scripts/web-server.ts; the pages are
 *   Next's own build in .next).
 * Why: under `node --import tsx` every process (and every web process of the cluster) also runs
 * tsx's module-loader thread and compiles TypeScript as it loads: ~60 MB more per process (an idle
 * worker: 176 MB against 109 MB bundled, measured side by side). Packages stay in node_modules
 * (`packages: "external"`), so each bundle lives two levels below the repository root, where Node
 * finds them and workers/steps/heartbeat.ts finds package.json.
 *
 *   npx tsx scripts/build-processes.ts [worker|web]            build both, or the one named
 *   npx tsx scripts/build-processes.ts --if-stale [worker|web] only when a source changed since
 */
import fs from "node:fs";
import path from "node:path";
import { build, type BuildOptions } from "esbuild";
import { isStaleSince } from "./build-freshness";

type Target = { entry: string; sources: string[]; options: BuildOptions };

const TARGETS = {
  worker: {
    entry: "index.cjs",
    sources: ["workers", "lib", "db", "package-lock.json", "tsconfig.json", "scripts/build-processes.ts"],
    options: {
      entryPoints: { index: "workers/index.ts", "parse-task": "lib/mail/parse-task.ts" },
      format: "cjs",
      outExtension: { ".js": ".cjs" },
      // CommonJS has no import.meta: each file gets its own URL, and the parse pool starts the bundled task.
      banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
      define: { "import.meta.url": "__importMetaUrl", MAILROOM_BUNDLED_PARSE_TASK: JSON.stringify("./parse-task.cjs") },
    },
  },
  // ES module: the web server awaits at its top level.
  web: {
    entry: "index.mjs",
    sources: ["scripts/web-server.ts", "lib", "package-lock.json", "tsconfig.json", "scripts/build-processes.ts"],
    options: { entryPoints: { index: "scripts/web-server.ts" }, format: "esm", outExtension: { ".js": ".mjs" } },
  },
} satisfies Record<string, Target>;
export type ProcessName = keyof typeof TARGETS;

/** A process's built entry, in `dist/<folder>` (folder: the process's name for npm start; the tests build their own). */
export function builtEntry(root: string, name: ProcessName, folder: string = name): string {
  return path.join(root, "dist", folder, TARGETS[name].entry);
}

/** True when the process was never built, or one of its sources changed after it was. */
function buildIsStaleFor(root: string, name: ProcessName): boolean {
  return isStaleSince(root, builtEntry(root, name), TARGETS[name].sources);
}

/** Bundles one process into dist/<folder> (built beside, then renamed into place, so no reader sees half of it). */
export async function buildProcess(root: string, name: ProcessName, folder: string = name): Promise<string> {
  const dir = path.dirname(builtEntry(root, name, folder));
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await build({ absWorkingDir: root, outdir: tmp, bundle: true, platform: "node", target: "node20", packages: "external", logLevel: "warning", ...TARGETS[name].options });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return builtEntry(root, name, folder);
}

/** Builds each of `names` (default: every process) whose build is missing or stale. */
export async function buildStaleProcesses(root: string, say: (msg: string) => void = () => {}, names = Object.keys(TARGETS) as ProcessName[]): Promise<void> {
  for (const name of names) {
    if (!buildIsStaleFor(root, name)) continue;
    say(`building the ${name === "web" ? "web server" : "worker"}…`);
    await buildProcess(root, name);
  }
}

// Run as a command (not imported by start.ts, the bench or the tests).
if (process.argv[1] && import.meta.filename && path.resolve(process.argv[1]) === import.meta.filename) {
  const root = path.resolve(import.meta.dirname, "..");
  const say = (msg: string) => console.log(`[mailroom] ${msg}`);
  const named = process.argv.slice(2).filter((a): a is ProcessName => a in TARGETS);
  const names = named.length ? named : (Object.keys(TARGETS) as ProcessName[]);
  if (process.argv.includes("--if-stale")) await buildStaleProcesses(root, say, names);
  else for (const name of names) say(`built ${path.relative(root, await buildProcess(root, name))}`);
}
