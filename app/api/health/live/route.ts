import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/** Liveness: the web process answers. It touches nothing else, so a database outage never restarts it. */
export function GET() {
  return NextResponse.json({ live: true }, { headers: { "cache-control": "no-store" } });
}
