import { createDb, type Db } from "@/db/client";
import { databaseUrl } from "@/lib/env";

// One pool per server process; kept on globalThis so dev-mode reloads do not open more.
const g = globalThis as unknown as { mailroomDb?: Db };

/** The web process's database handle. */
export function getDb(): Db {
  g.mailroomDb ??= createDb(databaseUrl(), { max: 10 }).db;
  return g.mailroomDb;
}
