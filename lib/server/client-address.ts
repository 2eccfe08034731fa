/**
 * The client's address for throttling. `next start` appends the socket's address
 * to X-Forwarded-For, so the last entry is the one a client cannot forge (behind a
 * reverse proxy it is the proxy's view of the client, which is what we want).
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").map((s) => s.trim()).filter(Boolean).pop();
  return last || headers.get("x-real-ip") || "unknown";
}
