import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { workers } from "../../db/schema/workers";

/** A worker that stops gracefully says so, so it shows as gone at once (not a minute later). */
export async function markWorkerStopped(db: Db, id: string): Promise<void> {
  await db.update(workers).set({ stoppedAt: sql`now()`, lastSeenAt: sql`now()`, lanesBusy: 0 }).where(eq(workers.id, id));
}
