import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";

export type Db = PostgresJsDatabase;
/** The handle inside `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Domain helpers that may run inside or outside a transaction take this. */
export type DbOrTx = Db | Tx;

/** Opens a pool to `url`. Call `close()` when done (tests, the worker on shutdown). */
export function createDb(url: string, options: { max?: number } = {}): { db: Db; close: () => Promise<void> } {
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  const db = drizzle(client);
  return { db, close: () => client.end({ timeout: 5 }) };
}
