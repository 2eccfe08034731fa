import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { getJobProgress } from "@/lib/jobs/get-job-progress";
import { getDb } from "@/lib/server/db";
import { getActor } from "@/lib/server/session";
import { renderMessage } from "@/lib/i18n/message";
import { getT } from "@/lib/server/locale";


/** A job's progress as JSON for components/job-progress.tsx (mailbox:test, checked in getJobProgress). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  try {
    const progress = await getJobProgress(getDb(), await getActor(), id);
    return NextResponse.json(progress, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof AppError) return NextResponse.json({ error: renderMessage(await getT(), err.userMessage) }, { status: err.httpStatus });
    throw err;
  }
}
