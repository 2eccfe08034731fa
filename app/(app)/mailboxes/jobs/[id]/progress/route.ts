import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { getJobProgress } from "@/lib/jobs/get-job-progress";
import { getDb } from "@/lib/server/db";
import { getActor } from "@/lib/server/session";

const statusOf: Record<AppError["code"], number> = { unauthenticated: 401, forbidden: 403, not_found: 404, invalid: 400, conflict: 409, rate_limited: 429 };

/** A job's progress as JSON for components/job-progress.tsx (mailbox:test, checked in getJobProgress). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  try {
    const progress = await getJobProgress(getDb(), await getActor(), id);
    return NextResponse.json(progress, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof AppError) return NextResponse.json({ error: err.safeMessage }, { status: statusOf[err.code] });
    throw err;
  }
}
