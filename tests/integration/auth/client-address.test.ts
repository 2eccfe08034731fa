// The client's address as the sign-in throttle sees it, over real sockets: a server that
// rewrites forwarded headers the way scripts/web-server.ts does, and clients that forge them.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { clientAddress } from "../../../lib/server/client-address";
import { parseTrustedProxies } from "../../../lib/server/resolve-forwarded";
import { stampForwardedHeaders } from "../../../lib/server/stamp-forwarded-headers";

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Starts a server that answers each request with the client address and scheme the app would see. */
async function start(trust: string | undefined): Promise<number> {
  const parsed = parseTrustedProxies(trust);
  server = http.createServer((req, res) => {
    stampForwardedHeaders(req, parsed);
    const h = new Headers(req.headers as Record<string, string>);
    res.end(JSON.stringify({ address: clientAddress(h), proto: h.get("x-forwarded-proto"), host: h.get("x-forwarded-host") }));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server!.address() as AddressInfo).port;
}

async function ask(port: number, headers: Record<string, string>): Promise<{ address: string; proto: string; host: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers });
  return res.json();
}

test("with no trusted proxy, forged X-Forwarded-For / -Proto / -Host / X-Real-IP change nothing", async () => {
  const port = await start(undefined);
  for (let i = 0; i < 5; i++) {
    const seen = await ask(port, { "x-forwarded-for": `198.51.100.${i}, 203.0.113.${i}`, "x-real-ip": `192.0.2.${i}`, "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" });
    expect(seen).toEqual({ address: "127.0.0.1", proto: "http", host: `127.0.0.1:${port}` });
  }
});

test("behind trusted proxies (a hop count or addresses), the address the nearest proxy saw counts, not what the client wrote", async () => {
  const byCount = await start("1");
  expect(await ask(byCount, { "x-forwarded-for": "198.51.100.7, 203.0.113.5", "x-forwarded-proto": "https" })).toMatchObject({ address: "203.0.113.5", proto: "https" });
  await new Promise((resolve) => server?.close(resolve));

  const byList = await start("127.0.0.0/8, 10.0.0.1");
  // Client → 10.0.0.1 (trusted) → us: the first untrusted address from the right is the client.
  expect(await ask(byList, { "x-forwarded-for": "198.51.100.7, 203.0.113.5, 10.0.0.1" })).toMatchObject({ address: "203.0.113.5" });
  expect(await ask(byList, {})).toMatchObject({ address: "127.0.0.1" });
});
