import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

export type WorkerProcess = {
  child: ChildProcess;
  /** Everything it logged so far (stdout and stderr). */
  output(): string;
  /** kill -9 of the whole process group (the worker and nothing else: it runs as node itself). */
  kill9(): void;
  /** SIGSTOP to the group: it runs no code until resume(), so what it holds can be read without racing it. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<void>;
  /** Peak resident memory (VmHWM) of the node process running the worker, in KiB. */
  peakRssKb(): number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * Starts the real worker, built as npm start builds it (`node <bundle>`, built once per run by tests/harness/global-setup.ts), as a child process and waits for its "worker started" line.
 * It polls only (MAILROOM_PUSH_SESSIONS=0) unless `env` says otherwise: the suites written for polling count leases a held push session would keep.
 */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [inject("workerEntry")], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", MAILROOM_PUSH_SESSIONS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so kill9 reaches tsx's node child too
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  while (!out.includes('"msg":"worker started"')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`The worker did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // gone already
    }
  };
  return {
    child,
    output: () => out,
    kill9: () => kill("SIGKILL"),
    pause: () => kill("SIGSTOP"),
    resume: () => kill("SIGCONT"),
    stop: async () => {
      kill("SIGTERM");
      kill("SIGCONT"); // a paused worker handles the SIGTERM once it runs again
      const timer = setTimeout(() => kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
    peakRssKb: () => Math.max(0, ...groupPids(child.pid!).map(vmHwmKb)),
    exited,
  };
}

/** The pids in process group `pgid` (tsx and its node child). */
function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 5 of /proc/<pid>/stat is the process group (after the parenthesised name).
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

function vmHwmKb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Polls `check` every 50 ms until it returns true, or fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
