import os from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { env } from "../env";
import { log } from "../log";
import type { ParseResult, ParseTask } from "./parse-task";

/**
 * Where a sync's messages are parsed: a pool of worker threads (piscina), so that
 * mailparser runs beside the thread that talks IMAP/POP3 and Postgres instead of on
 * it. MAILROOM_PARSE_THREADS sets its size; unset = cores − 1, leaving a core for
 * the storing thread and the web server. 0 (or a single core) parses on the calling
 * thread, as before.
 *
 * A source is handed over without a copy when it lives in shared memory
 * (sharedSourceBuffer: big sources are downloaded into one); a small one is copied
 * (structured clone) while its task runs. Tasks wait in the calling thread's queue,
 * not in the thread's, so queued sources are not copied.
 */
let pool: Piscina<ParseTask, ParseResult> | null | undefined;
/**
 * A parse thread's entry: beside this module in the source tree (parse-worker.mjs loads the
 * TypeScript task); in the built worker, the bundled task beside the bundle (scripts/build-processes.ts
 * puts its name here at build time).
 */
const PARSE_THREAD_ENTRY = typeof MAILROOM_BUNDLED_PARSE_TASK === "string" ? MAILROOM_BUNDLED_PARSE_TASK : "./parse-worker.mjs";
declare const MAILROOM_BUNDLED_PARSE_TASK: string | undefined;

/** How many parse threads this process runs. */
export function parseThreadCount(): number {
  return env().MAILROOM_PARSE_THREADS ?? Math.max(0, os.availableParallelism() - 1);
}

function parsePool(): Piscina<ParseTask, ParseResult> | null {
  if (pool !== undefined) return pool;
  const threads = parseThreadCount();
  pool =
    threads === 0
      ? null
      : new Piscina<ParseTask, ParseResult>({
          filename: fileURLToPath(new URL(PARSE_THREAD_ENTRY, import.meta.url)),
          // Not the parent's `--import tsx` (see parse-worker.mjs).
          execArgv: [],
          minThreads: threads,
          maxThreads: threads,
          // Started with the worker and kept: a thread's start (~20 MB, loading mailparser) is paid once, not per sync.
          idleTimeout: Number.MAX_SAFE_INTEGER,
          // Two tasks per thread: the next source is already there when one finishes.
          concurrentTasksPerWorker: 2,
          // A thread's heap left to V8's defaults grew to 3× a 25 MiB message's size while parsing it (the
          // decoded attachment's garbage); small generations make it collect early (1.2× → 0.4× in a test).
          // A message whose parse needs more (tens of MB of text) runs out here and is parsed on the main
          // thread instead (parseSource), as it was before the pool.
          resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
          // Parse threads yield to the storing thread and the web server (Linux; ignored elsewhere).
          niceIncrement: 5,
        });
  return pool;
}

/**
 * Starts the parse threads now and has each parse a tiny message (the worker does at
 * startup), so that loading the parser happens before the first sync, not during it.
 */
export async function startParsePool(): Promise<void> {
  const p = parsePool();
  if (!p) return;
  const tiny = () => Buffer.from("From: a@example.com\r\nSubject: warm-up\r\n\r\nHello\r\n");
  await Promise.all(Array.from({ length: p.threads.length || parseThreadCount() }, () => parseSource(tiny())));
}

/** Parses and hashes a raw source on a parse thread (or here, without a pool). Never rejects: see parseMessage. */
export async function parseSource(raw: Buffer): Promise<ParseResult> {
  const p = parsePool();
  if (!p) return parseHere(raw);
  try {
    return await p.run({ raw: exactView(raw) });
  } catch (err) {
    // A thread that died (out of memory, killed) must not lose the message: parse it here.
    log("warn", "a parse thread failed; parsing on the main thread", { err });
    return parseHere(raw);
  }
}

/** Parses on this thread. Loaded on first use: with a pool, the main thread never loads the parser (~20 MB). */
async function parseHere(raw: Buffer): Promise<ParseResult> {
  const { default: parseTask } = await import("./parse-task");
  return parseTask({ raw });
}

/** How many messages the parse threads have parsed in this process (0 without a pool). */
export function parsedOnThreads(): number {
  return pool ? pool.completed : 0;
}

/** Stops the parse threads (the worker does before exiting). */
export async function closeParsePool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

/**
 * A buffer of `size` bytes in shared memory: handed to a parse thread without a copy.
 * Plain memory when parsing stays on this thread.
 */
export function sharedSourceBuffer(size: number): Buffer {
  if (!parsePool()) return Buffer.allocUnsafe(size);
  return Buffer.from(new SharedArrayBuffer(size));
}

/**
 * What postMessage should see of `raw`: structured clone copies a view's whole underlying
 * ArrayBuffer, so a slice of a larger (pooled or concatenated) buffer is copied to its own
 * first; shared memory is passed as it is.
 */
function exactView(raw: Buffer): Uint8Array {
  if (raw.buffer instanceof SharedArrayBuffer) return raw;
  if (raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength) return raw;
  return new Uint8Array(raw);
}
