import { NextResponse } from "next/server";
import { checkReadiness } from "@/lib/health/check-readiness";
import { getDb } from "@/lib/server/db";

export const dynamic = "force-dynamic";

/**
 * Readiness for load balancers and monitors: 200 when the database answers, its
 * migrations are current and a worker was seen within the last minute, else 503;
 * the JSON says which check failed. Liveness alone: /api/health/live.
 */
export async function GET() {
  const r = await checkReadiness(getDb());
  return NextResponse.json({ live: true, ...r }, { status: r.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
