import { spawn, type ChildProcess } from "node:child_process";
import type net from "node:net";

// Vitest ends its workers with SIGTERM, which skips process.on("exit"), and a crashed worker
// runs nothing at all. So cleanup is left to a tiny shell that outlives this process: it
// collects what to clean from its stdin and acts when that pipe closes, however we died.
// Everything it does is idempotent, so a normal teardown that already cleaned up costs nothing.
const REAPER_SCRIPT = `
dirs=""
prefixes=""
nl='
'
while IFS= read -r line; do
  case "$line" in
    "dir "*) dirs="$dirs$nl\${line#dir }" ;;
    "procs "*) prefixes="$prefixes$nl\${line#procs }" ;;
  esac
done
if [ -n "$prefixes" ]; then
  for p in /proc/[0-9]*; do
    cmd=$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null) || continue
    IFS="$nl"
    for pre in $prefixes; do
      [ -n "$pre" ] || continue
      case "$cmd" in "$pre"*) kill -9 "\${p#/proc/}" 2>/dev/null ;; esac
    done
    unset IFS
  done
fi
IFS="$nl"
for d in $dirs; do [ -n "$d" ] && rm -rf "$d"; done
`;

let reaper: ChildProcess | undefined;

function send(line: string): void {
  if (!reaper) {
    // detached: a Ctrl-C to the terminal's process group must not kill the reaper first.
    reaper = spawn("sh", ["-c", REAPER_SCRIPT], { stdio: ["pipe", "ignore", "ignore"], detached: true });
    reaper.on("error", () => {});
    reaper.stdin!.on("error", () => {});
    // Neither the reaper nor its pipe may keep this process alive.
    reaper.unref();
    (reaper.stdin as net.Socket).unref();
  }
  if (line.includes("\n")) throw new Error(`Cannot register a path with a newline for cleanup: ${line}`);
  reaper.stdin!.write(`${line}\n`);
}

/** Removes `dir` (recursively) once this process has exited, even if it was killed. */
export function removeDirOnExit(dir: string): void {
  send(`dir ${dir}`);
}

/**
 * SIGKILLs, once this process has exited, every process whose command line (NULs read as
 * spaces) starts with `prefix`. Use a prefix unique to what this process started.
 */
export function killProcessesOnExit(prefix: string): void {
  send(`procs ${prefix}`);
}
