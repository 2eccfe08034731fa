// Uncaught errors the worker survives (workers/index.ts): each is named for what it is, and anything else still ends the process.

/**
 * postgres.js 3.4.9 can throw from a setImmediate after its connection to the server closed
 * (a Postgres restart): `socket.write` on a null socket in connection.js nextWrite
 * (porsager/postgres#1154, #1208). The query that write belonged to has already been rejected
 * with CONNECTION_CLOSED and the pool reconnects, so the worker carries on instead of dying
 * with the database. Any other uncaught exception still ends the process.
 */
export function isClosedSocketWrite(err: unknown): boolean {
  // postgres/src/connection.js under tsx (ES modules); postgres/cjs/src/connection.js in the built worker (CommonJS).
  return err instanceof TypeError && /reading 'write'|evaluating 'socket\.write'/.test(err.message) && /nextWrite[\s\S]*postgres[\\/](?:cjs[\\/])?src[\\/]connection\.js/.test(err.stack ?? "");
}
/**
 * A connection reset by the other end, thrown as an uncaught 'error' event: some socket had
 * no error listener at that moment (seen once in CI during a Postgres restart, source not yet
 * known — hence the stack in the log). Whatever used that socket fails on its own (a closed
 * connection, a lease that expires), so the worker carries on instead of dying with a peer.
 */
export function isPeerReset(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return err instanceof Error && (e.code === "ECONNRESET" || e.code === "EPIPE") && (e.syscall === "read" || e.syscall === "write");
}
/** postgres.js's codes for a connection to the database that went away (errors.js `connection`). */
const LOST_DATABASE_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);
/**
 * A query's rejection that nothing awaited any more, because the database went away (a
 * Postgres restart): "write CONNECTION_CLOSED". Seen once in a CI run of the restart test,
 * arriving as an unhandled rejection; which query was left unobserved is not yet known, hence
 * the stack in the log. The work it belonged to has failed or loses its lease and is retried,
 * so the worker carries on instead of dying with the database. Only unhandled rejections:
 * a thrown error of this shape is still fatal.
 */
export function isLostDatabaseQuery(err: unknown, origin: string): boolean {
  return origin === "unhandledRejection" && err instanceof Error && LOST_DATABASE_CODES.has(String((err as NodeJS.ErrnoException).code));
}
