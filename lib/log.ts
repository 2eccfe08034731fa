import { env } from "./env";

/**
 * Structured logging: one JSON line per event on stdout. Values under keys that
 * look like secrets are replaced, so a password handed in by mistake is never written.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|sealed/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

type Level = "debug" | "info" | "warn" | "error";
const rank: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

let threshold: number | undefined;
function minimumRank(): number {
  // Read once; a malformed environment must not stop a log line from being written.
  if (threshold === undefined) {
    try {
      threshold = rank[env().LOG_LEVEL];
    } catch {
      threshold = rank.info;
    }
  }
  return threshold;
}

/** Writes `{ time, level, msg, ...fields }` as one line, when `level` is at or above LOG_LEVEL (default info). */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (rank[level] < minimumRank()) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...(redact(fields) as object) });
  if (level === "error" || level === "warn") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
}
