import fs from "node:fs";
import postgres from "postgres";
import { startEmbeddedPostgres, tempDataDir } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";

export type TestPostgres = { adminUrl: string; template: string; stop: () => Promise<void> };

/** Replaces the database name in a postgres URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Uses TEST_DATABASE_URL (or DATABASE_URL) when set, else an embedded Postgres in a
 * temp folder. Creates a uniquely named, migrated template database so that each
 * test file gets a fresh copy in milliseconds and runs never see each other's data.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  let stopServer = async () => {};
  let adminUrl: string;
  if (given) {
    adminUrl = given;
  } else {
    const dir = tempDataDir("mailroom-test-pg-");
    const handle = await startEmbeddedPostgres({ dataDir: `${dir}/data` });
    adminUrl = handle.url;
    stopServer = async () => {
      await handle.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const template = `mailroom_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));
  return {
    adminUrl,
    template,
    stop: async () => {
      // Drop every database this run made (its template and the per-file copies).
      const rows = await admin`select datname from pg_database where datname like ${template + "%"} or datname like ${"mr_t_" + process.pid + "_%"}`;
      for (const r of rows) await admin.unsafe(`drop database if exists "${r.datname}" with (force)`);
      await admin.end();
      await stopServer();
    },
  };
}
