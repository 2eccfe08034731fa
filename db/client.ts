import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";

export type Db = PostgresJsDatabase;

/** Opens a pool to `url`. Call `close()` when done (tests, the worker on shutdown). */
export function createDb(url: string, options: { max?: number } = {}): { db: Db; close: () => Promise<void> } {
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  const db = drizzle(client);
  return { db, close: () => client.end({ timeout: 5 }) };
}
