import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { noDelaySocket } from "./no-delay-socket";

export type Db = PostgresJsDatabase;
/** The handle inside `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Domain helpers that may run inside or outside a transaction take this. */
export type DbOrTx = Db | Tx;

/**
 * LISTENs on `channel` (on a connection of its own, re-established by the driver after a
 * database restart; `onListen` runs each time it is listening again). Resolves once listening.
 */
export type Listen = (channel: string, onPayload: (payload: string) => void, onListen?: () => void) => Promise<{ unlisten: () => Promise<void> }>;

/** Opens a pool to `url`. Call `close()` when done (tests, the worker on shutdown). */
export function createDb(url: string, options: { max?: number } = {}): { db: Db; close: () => Promise<void>; listen: Listen } {
  // `socket` is a postgres.js option its type declarations leave out (src/index.js parseOptions).
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {}, ...({ socket: noDelaySocket } as object) });
  const db = drizzle(client);
  const listen: Listen = async (channel, onPayload, onListen) => {
    const meta = await client.listen(channel, onPayload, onListen);
    return { unlisten: () => meta.unlisten() };
  };
  return { db, close: () => client.end({ timeout: 5 }), listen };
}
