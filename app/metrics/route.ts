import { env } from "@/lib/env";
import { bearerTokenMatches } from "@/lib/metrics/bearer-token-matches";
import { renderMetrics } from "@/lib/metrics/render-metrics";
import { getDb } from "@/lib/server/db";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics (text format). Off (404) unless MAILROOM_METRICS_TOKEN is
 * set; then the scraper must send it as a bearer token.
 */
export async function GET(req: Request) {
  const token = env().MAILROOM_METRICS_TOKEN;
  if (!token) return new Response("Not found\n", { status: 404 });
  if (!bearerTokenMatches(req.headers.get("authorization"), token)) {
    return new Response("Unauthorized\n", { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
  }
  const { contentType, text } = await renderMetrics(getDb());
  return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
