import net from "node:net";

export type StallingProxy = { port: number; /** Connections that reached the stall point. */ readonly stalled: number; stop: () => Promise<void> };

/**
 * A loopback TCP proxy to `target` that forwards the client's bytes freely and the server's
 * first `afterBytes` bytes of each connection, then stops forwarding while keeping both
 * sockets open: a server that stalls in the middle of a reply (a FETCH or RETR). TLS passes
 * through unchanged, so certificate checks still apply.
 */
export async function startStallingProxy(target: { host: string; port: number }, afterBytes: number): Promise<StallingProxy> {
  const sockets = new Set<net.Socket>();
  let stalled = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    let forwarded = 0;
    let isStalled = false;
    client.on("error", () => {});
    upstream.on("error", () => {});
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d: Buffer) => {
      if (isStalled) return;
      const room = afterBytes - forwarded;
      if (d.length < room) {
        forwarded += d.length;
        client.write(d);
        return;
      }
      if (room > 0) client.write(d.subarray(0, room));
      forwarded = afterBytes;
      isStalled = true;
      stalled++;
      // Swallow the rest: the client waits for bytes that never come.
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
  return {
    port,
    get stalled() {
      return stalled;
    },
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
