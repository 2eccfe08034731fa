import net from "node:net";

/** The part of postgres.js's resolved options a socket needs (arrays: it accepts several hosts). */
type SocketOptions = { host: string[]; port: number[]; path?: string | false };

/**
 * postgres.js's `socket` option: the connection to Postgres with Nagle's algorithm off
 * (TCP_NODELAY), as libpq always sets it. postgres.js leaves Node's default (Nagle on), so
 * a small write that follows another before the server has answered waits for the
 * server's delayed ACK, 40 ms on Linux: a COPY's CopyDone after its data, then the COMMIT
 * after it — measured ~45 ms each in every batch a sync stores, even of 20 small messages.
 *
 * The socket is returned still connecting: postgres.js writes its startup (or SSL request)
 * at once and Node sends it on connect; a refused or failed connect closes the socket, and
 * postgres.js reconnects as it does with its own. Only the first of several hosts is used.
 */
export function noDelaySocket(o: SocketOptions): net.Socket {
  const socket = o.path ? net.connect({ path: o.path }) : net.connect({ host: o.host[0], port: o.port[0], noDelay: true });
  // Named in postgres.js's errors ("write CONNECTION_CLOSED host:port"), as its own sockets are.
  Object.assign(socket, { host: o.host[0], port: o.port[0] });
  return socket;
}
