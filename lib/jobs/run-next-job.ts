import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { jobs } from "../../db/schema/jobs";
import { log } from "../log";
import { claimJob } from "./claim-job";
import { TEST_ENABLE_JOB } from "./create-test-enable-job";
import { runTestEnableJob, type RunJobOptions } from "./run-test-enable-job";

/**
 * One worker pass over background jobs: claims a job (FOR UPDATE SKIP LOCKED,
 * leased) and works on it for up to `budgetMs`. Returns how many items it handled
 * (0 when there was no job).
 */
export async function runNextJob(db: Db, o: RunJobOptions): Promise<number> {
  const job = await claimJob(db, o.workerId, o.leaseMs);
  if (!job) return 0;
  if (job.kind === TEST_ENABLE_JOB) return runTestEnableJob(db, job, o);
  log("error", "unknown job kind; marking it failed", { jobId: job.id, kind: job.kind });
  await db.update(jobs).set({ status: "failed", finishedAt: new Date(), leaseOwner: null }).where(eq(jobs.id, job.id));
  return 1;
}
