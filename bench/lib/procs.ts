import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildStaleProcesses, builtEntry } from "../../scripts/build-processes";

const root = path.resolve(import.meta.dirname, "../..");
const CLK_TCK = 100; // USER_HZ on Linux

let built: Promise<void> | undefined;
/** The worker built as npm start builds it, once per bench run and only when a source changed since (scripts/build-processes.ts). */
const workerBuilt = () => (built ??= buildStaleProcesses(root, undefined, ["worker"]));

/** One real worker process (the built worker, `node dist/worker/index.cjs`), started the way production starts it. */
export type BenchWorker = {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** CPU seconds (user + system) used so far by the worker's process group. */
  cpuSeconds(): number;
  /** Resident memory now and its high-water mark (VmRSS, VmHWM) of the node process running the worker, in bytes. */
  memory(): { rss: number; hwm: number };
  stop(): Promise<void>;
};

/**
 * Starts a worker and waits for its "worker started" line. With BENCH_CPU_PROF=<folder> in the
 * bench's environment, each worker writes a V8 CPU profile there when it stops
 * (summarise with `npx tsx bench/profile-summary.ts <file>`).
 */
export async function startBenchWorker(env: Record<string, string>): Promise<BenchWorker> {
  const profileDir = process.env.BENCH_CPU_PROF;
  await workerBuilt();
  // --cpu-prof is refused in NODE_OPTIONS, so a profiled worker runs as `node --cpu-prof <bundle>`.
  const [cmd, args] = [process.execPath, [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), builtEntry(root, "worker")]];
  const child = spawn(cmd, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('"msg":"worker started"')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`The worker did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // gone
    }
  };
  return {
    child,
    pid: child.pid!,
    output: () => out,
    cpuSeconds: () => groupPids(child.pid!).reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
    memory: () => {
      let best = { rss: 0, hwm: 0 };
      for (const pid of groupPids(child.pid!)) {
        const m = memoryOf(pid);
        if (m.rss > best.rss) best = m;
      }
      return best;
    },
    async stop() {
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Pids in process group `pgid`. */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[2]) === pgid) pids.push(Number(entry));
  }
  return pids;
}

/** Fields of /proc/<pid>/stat after the parenthesised name (index 0 = state). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** utime + stime of one process, in seconds (0 when it is gone). */
export function cpuSecondsOf(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : 0;
}

/** VmRSS and VmHWM of one process, in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Pids of every process whose command line starts with `prefix` (e.g. the Postgres server). */
export function pidsByCommand(test: (cmdline: string) => boolean): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      if (test(cmd)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}
