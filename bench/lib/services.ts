import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { createDb, type Db } from "../../db/client";
import { startEmbeddedPostgres, tempDataDir } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";
import { withDatabase } from "../../tests/harness/postgres-server";

/** The Postgres server of a benchmark run: TEST_DATABASE_URL / DATABASE_URL when set, else an embedded one. */
export type BenchPostgres = {
  adminUrl: string;
  /** Postgres server pid when we started it (its CPU is measured), else undefined. */
  embedded: boolean;
  /** A fresh, migrated database for one scenario; close() drops it. */
  freshDb(label: string): Promise<BenchDb>;
  stop(): Promise<void>;
};

export type BenchDb = { url: string; db: Db; sql: postgres.Sql; close(): Promise<void> };

let counter = 0;

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  let adminUrl: string;
  let stopServer = async () => {};
  if (given) {
    adminUrl = given;
  } else {
    const dir = tempDataDir("mailroom-bench-pg-");
    const handle = await startEmbeddedPostgres({ dataDir: path.join(dir, "data") });
    adminUrl = handle.url;
    stopServer = async () => {
      await handle.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const made: string[] = [];
  return {
    adminUrl,
    embedded: !given,
    async freshDb(label) {
      const name = `mailroom_bench_${process.pid}_${++counter}_${label.replace(/\W/g, "_")}`;
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.unsafe(`create database "${name}"`);
      made.push(name);
      const url = withDatabase(adminUrl, name);
      await runMigrations(url);
      const { db, close } = createDb(url, { max: 4 });
      const sql = postgres(url, { max: 2, onnotice: () => {} });
      return {
        url,
        db,
        sql,
        async close() {
          await sql.end();
          await close();
          await admin.unsafe(`drop database if exists "${name}" with (force)`);
        },
      };
    },
    async stop() {
      for (const name of made) await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await admin.end();
      await stopServer();
    },
  };
}

/**
 * Pids of the Postgres backends serving `database` (their CPU is what the worker costs the
 * server). Only readable when Postgres runs on this machine.
 */
export async function backendPids(sql: postgres.Sql, database: string): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database}`;
  return rows.map((r) => r.pid);
}
