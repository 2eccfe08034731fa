import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import journal from "../../db/migrations/meta/_journal.json";
import { log } from "../log";

/** A worker unseen for this long is gone (its heartbeat comes about every 10 s). */
export const WORKER_GONE_MS = 60_000;

export type Readiness = {
  ready: boolean;
  checks: {
    database: "ok" | "unreachable";
    /** current: every migration this build ships is applied; pending: some are not; ahead: the database is newer than this build. */
    migrations: "current" | "pending" | "ahead" | "unknown";
    worker: "seen" | "none" | "unknown";
  };
  /** The newest heartbeat of a running worker, ISO time, or null. */
  lastWorkerSeenAt: string | null;
};

/**
 * Readiness for /api/health: the database answers, its migrations are the ones
 * this build ships (compared by the newest migration's timestamp, which drizzle
 * records when it applies one), and a worker wrote a heartbeat within the last
 * minute. Never throws: an unreachable database is a check that failed.
 */
export async function checkReadiness(db: Db, opts: { timeoutMs?: number } = {}): Promise<Readiness> {
  const expected = Math.max(...journal.entries.map((e) => e.when));
  try {
    const [tables] = await withTimeout(
      db.execute<{ migrations: boolean; workers: boolean }>(sql`
        select to_regclass('drizzle.__drizzle_migrations') is not null as migrations, to_regclass('public.workers') is not null as workers`),
      opts.timeoutMs ?? 3_000,
    );
    let applied: number | null = null;
    if (tables.migrations) {
      const [row] = await db.execute<{ applied: string | null }>(sql`select max(created_at)::text as applied from drizzle.__drizzle_migrations`);
      applied = row?.applied == null ? null : Number(row.applied);
    }
    let seen: Date | null = null;
    if (tables.workers) {
      const [row] = await db.execute<{ seen: Date | string | null }>(sql`
        select max(last_seen_at) as seen from workers
         where stopped_at is null and last_seen_at > now() - ${WORKER_GONE_MS} * interval '1 millisecond'`);
      seen = row?.seen ? new Date(row.seen) : null;
    }
    const migrations = applied === null || applied < expected ? "pending" : applied === expected ? "current" : "ahead";
    const worker = seen ? "seen" : "none";
    return { ready: migrations === "current" && worker === "seen", checks: { database: "ok", migrations, worker }, lastWorkerSeenAt: seen?.toISOString() ?? null };
  } catch (err) {
    log("warn", "readiness check: the database did not answer", { err });
    return { ready: false, checks: { database: "unreachable", migrations: "unknown", worker: "unknown" }, lastWorkerSeenAt: null };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
