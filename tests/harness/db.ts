import { inject } from "vitest";
import postgres from "postgres";
import { createDb, type Db } from "../../db/client";
import { withDatabase } from "./postgres-server";

export type TestDb = { db: Db; url: string; close: () => Promise<void> };

let counter = 0;

/**
 * A fresh, migrated database for one test file (copied from the run's template).
 * Call in beforeAll; `close()` in afterAll drops it.
 */
export async function createTestDb(): Promise<TestDb> {
  const adminUrl = inject("pgAdminUrl");
  const template = inject("pgTemplate");
  const name = `${template}_f${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const { db, close } = createDb(url, { max: 5 });
  return {
    db,
    url,
    close: async () => {
      await close();
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}
