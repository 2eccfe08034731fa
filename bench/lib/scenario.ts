import type { TestPki } from "../../tests/harness/tls";
import type { BenchPostgres } from "./services";

/** What every scenario gets from bench/run.ts. */
export type BenchContext = {
  quick: boolean;
  pg: BenchPostgres;
  pki: TestPki;
  /** MAILROOM_SECRET_KEY of this run (the bench process seals with it; workers open with it). */
  secretKey: string;
  /** Progress line on stderr. */
  log(msg: string): void;
};

export type BenchResult = {
  name: string;
  /** The target, in words ("b/a ≥ 0.7"). */
  target: string;
  /** The figure compared with the target (a ratio, seconds or bytes as the target says). */
  value: number | null;
  met: boolean | null;
  /** Short human line for the table. */
  summary: string;
  figures: Record<string, unknown>;
  notes: string[];
};

export type Scenario = { name: string; run(ctx: BenchContext): Promise<BenchResult> };

/** Environment for a worker process of this run. */
export function workerEnv(ctx: BenchContext, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  // MAILROOM_PARSE_THREADS in the bench's environment reaches its workers (to compare pool sizes).
  const threads: Record<string, string> = process.env.MAILROOM_PARSE_THREADS !== undefined ? { MAILROOM_PARSE_THREADS: process.env.MAILROOM_PARSE_THREADS } : {};
  return { DATABASE_URL: databaseUrl, MAILROOM_SECRET_KEY: ctx.secretKey, MAILROOM_EXTRA_CA_FILE: ctx.pki.caFile, ...threads, ...extra };
}
