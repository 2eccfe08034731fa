import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { resolveForwarded, type ProxyTrust } from "./resolve-forwarded";

// Set by the web server (scripts/web-server.ts) in the same process as the app.
const STAMPED = Symbol.for("mailroom.forwarded-headers-stamped");
const FORWARDED_HEADERS = ["forwarded", "x-real-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"];

/**
 * Rewrites a request's forwarded headers before Next.js sees it: X-Forwarded-For
 * becomes the one client address, X-Forwarded-Proto and -Host the scheme and host,
 * decided from the socket and MAILROOM_TRUSTED_PROXIES (resolveForwarded). Whatever
 * the client sent under these names is dropped. Next itself only fills these headers
 * in when they are absent, and gives route handlers and actions no socket, so this
 * is the one place the socket's address is known.
 */
export function stampForwardedHeaders(req: IncomingMessage, trust: ProxyTrust): void {
  const joined = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const view = resolveForwarded(
    {
      peer: req.socket.remoteAddress ?? "unknown",
      encrypted: (req.socket as TLSSocket).encrypted === true,
      host: req.headers.host,
      forwardedFor: joined("x-forwarded-for"),
      forwardedProto: joined("x-forwarded-proto"),
      forwardedHost: joined("x-forwarded-host"),
    },
    trust,
  );
  for (const name of FORWARDED_HEADERS) delete req.headers[name];
  req.headers["x-forwarded-for"] = view.client;
  req.headers["x-forwarded-proto"] = view.proto;
  if (view.host) req.headers["x-forwarded-host"] = view.host;
  (globalThis as Record<symbol, unknown>)[STAMPED] = true;
}

/**
 * Whether this process's requests pass through stampForwardedHeaders. Under a plain
 * `next start` / `next dev` they do not, and the forwarded headers are the client's own.
 */
export function forwardedHeadersStamped(): boolean {
  return (globalThis as Record<symbol, unknown>)[STAMPED] === true;
}
