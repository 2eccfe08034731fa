import type { DbOrTx } from "../../db/client";
import { jobItems, jobs } from "../../db/schema/jobs";

/** The job kind that tests and enables a set of mailboxes. */
export const TEST_ENABLE_JOB = "test_enable";

/**
 * Queues a background "test & enable" of the given mailboxes (one job item each)
 * for the worker. No privilege check: callers (enqueueTestAllJob,
 * testAndEnableMailboxes) have checked mailbox:test. Returns the job id.
 */
export async function createTestEnableJob(db: DbOrTx, input: { createdById: string; profileId: string | null; mailboxIds: string[] }): Promise<string> {
  const ids = [...new Set(input.mailboxIds)];
  const run = async (tx: DbOrTx) => {
    const [job] = await tx
      .insert(jobs)
      .values({ kind: TEST_ENABLE_JOB, profileId: input.profileId, createdById: input.createdById, total: ids.length })
      .returning({ id: jobs.id });
    // In chunks: one statement has at most 65535 parameters.
    for (let i = 0; i < ids.length; i += 5000) {
      await tx.insert(jobItems).values(ids.slice(i, i + 5000).map((mailboxId) => ({ jobId: job.id, mailboxId })));
    }
    return job.id;
  };
  // Inside a caller's transaction this is a savepoint: a job never exists without its items.
  return db.transaction(run);
}
