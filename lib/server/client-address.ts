import net from "node:net";
import { log } from "@/lib/log";
import { forwardedHeadersStamped } from "./stamp-forwarded-headers";

let warned = false;

/**
 * The client's address for throttling and for "is this request from this machine":
 * X-Forwarded-For as the web server rewrote it from the socket and the trusted
 * proxies (stampForwardedHeaders). Without that server (plain `next start`), the
 * header is whatever the client sent, so every client counts as "unknown".
 */
export function clientAddress(headers: Headers): string {
  if (!forwardedHeadersStamped()) {
    if (!warned) log("warn", "client addresses unknown: start the web server with scripts/web-server.ts, not next start");
    warned = true;
    return "unknown";
  }
  const address = headers.get("x-forwarded-for")?.trim();
  return address && net.isIP(address) ? address : "unknown";
}
