import { env } from "./env";

/**
 * Structured logging: one JSON line per event on stdout. Secrets are kept out two
 * ways: values under keys that look like secrets are replaced, and any string that
 * looks like one (a sealed secret, a bcrypt hash, a session token, a bearer token)
 * is replaced wherever it appears — an error message quoting a failed query, say.
 * Query parameters are never written: drizzle puts them into its "Failed query"
 * message, and they may hold anything a person typed or a sealed password.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|sealed|params|parameters/i;

const SECRET_VALUES: RegExp[] = [
  // A sealed secret (lib/crypto/sealed-format.ts): v1.<keyId>.<iv>.<tag>.<ciphertext>, any version.
  /\bv\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*/g,
  // bcrypt hashes.
  /\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}/g,
  // JWTs and JWEs (session cookies, OAuth tokens).
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** `text` with every secret-looking value replaced, and drizzle's "params: …" tail cut off. */
function scrub(text: string): string {
  let out = text.replace(/\n?\s*params: [\s\S]*$/, "\nparams: [redacted]");
  for (const pattern of SECRET_VALUES) out = out.replace(pattern, "[redacted]");
  return out;
}

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    return {
      name: value.name,
      message: scrub(value.message),
      code: (value as { code?: unknown }).code,
      ...(cause === undefined ? {} : { cause: redact(cause, depth + 1) }),
    };
  }
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
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg: scrub(msg), ...(redact(fields) as object) });
  if (level === "error" || level === "warn") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
}
