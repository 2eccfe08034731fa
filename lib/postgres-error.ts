/** The Postgres error behind a failed query (drizzle wraps it in DrizzleQueryError.cause), or null. */
export function postgresErrorOf(err: unknown): { code: string; constraint: string | undefined } | null {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const candidate = e as { code?: unknown; constraint_name?: unknown; severity?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code) && "severity" in candidate) {
      return { code: candidate.code, constraint: typeof candidate.constraint_name === "string" ? candidate.constraint_name : undefined };
    }
  }
  return null;
}
