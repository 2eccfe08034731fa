import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { jobs } from "../../db/schema/jobs";
import { assertCan, type Actor } from "../auth/actor";
import { isUuid } from "../is-uuid";
import { readJobProgress, type JobProgress } from "./job-progress-view";

/** The most recent "test & enable all" job of a profile, for its page after a reload (mailbox:test); null if none. */
export async function findLatestProfileJob(db: Db, actor: Actor | null, input: { profileId: string }): Promise<JobProgress | null> {
  assertCan(actor, "mailbox:test");
  if (!isUuid(input.profileId)) return null;
  const [job] = await db.select({ id: jobs.id }).from(jobs).where(eq(jobs.profileId, input.profileId)).orderBy(desc(jobs.createdAt)).limit(1);
  return job ? readJobProgress(db, job.id) : null;
}
