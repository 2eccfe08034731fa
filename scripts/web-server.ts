/**
 * The web server: Next.js, with one step in front of it that only a server owning the
 * socket can do. Next fills in X-Forwarded-For/-Proto/-Host only when a request does
 * not carry them, and gives route handlers and actions no socket, so a client could
 * pick its own address (and dodge the sign-in throttle) or claim HTTPS. Here each
 * request's forwarded headers are rewritten from the socket and MAILROOM_TRUSTED_PROXIES
 * (lib/server/stamp-forwarded-headers.ts) before Next sees it.
 *
 *   node --import tsx scripts/web-server.ts [-p PORT] [-H HOST] [--dev]
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { env } from "../lib/env";
import { parseTrustedProxies } from "../lib/server/resolve-forwarded";
import { stampForwardedHeaders } from "../lib/server/stamp-forwarded-headers";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" }, dev: { type: "boolean" } },
});
const dev = values.dev === true;
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname;
// Before Next is loaded: it picks React's production or development build from this.
(process.env as Record<string, string>).NODE_ENV ??= dev ? "development" : "production";

const trust = parseTrustedProxies(env().MAILROOM_TRUSTED_PROXIES);
const { default: next } = await import("next");
const app = next({ dev, dir: path.join(path.dirname(fileURLToPath(import.meta.url)), ".."), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  stampForwardedHeaders(req, trust);
  void handle(req, res);
});
if (dev) {
  const upgrade = app.getUpgradeHandler();
  server.on("upgrade", (req, socket, head) => {
    stampForwardedHeaders(req, trust);
    void upgrade(req, socket, head);
  });
}
server.listen(port, hostname, () => {
  process.stdout.write(`web server ready on http://${hostname ?? "localhost"}:${port}\n`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    // Open keep-alive connections would hold close() forever.
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
