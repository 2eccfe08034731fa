import net from "node:net";

function listenLoopback(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A loopback port that accepts TCP connections and never sends a byte: a server that hangs
 * before its greeting, for timeout tests. `stop()` drops every connection it holds.
 */
export async function startSilentServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listenLoopback(server);
  return { port, stop: () => closeServer(server, sockets) };
}

export type CountingProxy = {
  port: number;
  /** The most connections that were open through the proxy at the same time. */
  readonly maxConcurrent: number;
  /** Connections open through the proxy now. */
  readonly current: number;
  /** Connections opened through the proxy so far (each a TLS handshake and a sign-in to an IMAP server). */
  readonly opened: number;
  stop: () => Promise<void>;
};

/**
 * A loopback TCP proxy to `target` that counts concurrent connections, to check that the app
 * respects its connection limits. Bytes pass unchanged, so TLS to the target still verifies.
 */
export async function startCountingProxy(target: { host: string; port: number }): Promise<CountingProxy> {
  const sockets = new Set<net.Socket>();
  let current = 0;
  let maxConcurrent = 0;
  let opened = 0;
  const server = net.createServer((client) => {
    current++;
    opened++;
    maxConcurrent = Math.max(maxConcurrent, current);
    const upstream = net.connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    // Errors arrive again as close(hadError); a refused or reset side resets the other one,
    // a clean close lets the other side finish what it was sending.
    client.on("error", () => {});
    upstream.on("error", () => {});
    client.on("close", (hadError) => {
      current--;
      sockets.delete(client);
      if (hadError) upstream.destroy();
      else upstream.end();
    });
    upstream.on("close", (hadError) => {
      sockets.delete(upstream);
      if (hadError) client.destroy();
      else client.end();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listenLoopback(server);
  return {
    port,
    get maxConcurrent() {
      return maxConcurrent;
    },
    get current() {
      return current;
    },
    get opened() {
      return opened;
    },
    stop: () => closeServer(server, sockets),
  };
}

/** A loopback port nothing listens on (taken, then released): a connection to it is refused at once. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenLoopback(server);
  await closeServer(server, new Set());
  return port;
}
