import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client";
import { jobItems, jobs, type Job } from "../../db/schema/jobs";
import { runMailboxTest, type MailboxTestResult } from "../mailboxes/run-mailbox-test";
import { inEnglish, msg, type Message } from "../i18n/message";

export const INTERRUPTED_MESSAGE = msg("job.interrupted");

export type RunJobOptions = {
  workerId: string;
  leaseMs: number;
  /** Stop after this time (the lease is kept; the next pass continues), so other worker steps get their turn. */
  budgetMs: number;
  signal?: AbortSignal;
};

/**
 * Works through a claimed "test & enable" job, one mailbox at a time, until it is
 * finished, the time budget is spent, or `signal` aborts. Returns how many items
 * it finished.
 *
 * Restart safety: an item is marked "testing" before its test and finished in the
 * same transaction that records the mailbox's result, so after a crash finished
 * items are never redone. An item found still "testing" by a later claimer was in
 * flight when its worker died: it is finished as "interrupted", not tested again
 * (the crash may have come after the server saw the sign-in).
 */
export async function runTestEnableJob(db: Db, job: Job, o: RunJobOptions): Promise<number> {
  const started = Date.now();
  let handled = 0;
  // Items left "testing" by a dead worker (this worker only ever has one in flight, and it finishes it).
  handled += await finishInterrupted(db, job.id, o.workerId);
  while (!o.signal?.aborted && Date.now() - started < o.budgetMs) {
    if (!(await renewLease(db, job.id, o))) return handled; // another worker took it over
    const [next] = await db
      .update(jobItems)
      .set({ outcome: "testing" })
      .where(
        and(
          eq(jobItems.jobId, job.id),
          eq(
            jobItems.mailboxId,
            sql`(select mailbox_id from job_items where job_id = ${job.id} and finished_at is null and outcome is null order by mailbox_id limit 1)`,
          ),
        ),
      )
      .returning({ mailboxId: jobItems.mailboxId });
    if (!next) {
      await db.update(jobs).set({ status: "done", finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null }).where(and(eq(jobs.id, job.id), eq(jobs.leaseOwner, o.workerId)));
      return handled;
    }
    const result = await runMailboxTest(db, next.mailboxId, { onRecorded: (tx, r) => finishItem(tx, job.id, next.mailboxId, r) });
    if (!result) await db.transaction((tx) => finishItem(tx, job.id, next.mailboxId, null)); // the mailbox was deleted meanwhile
    handled++;
  }
  // Stopping early: let another worker (or this one's next pass) carry on at once.
  if (o.signal?.aborted) await db.update(jobs).set({ leaseExpiresAt: new Date() }).where(and(eq(jobs.id, job.id), eq(jobs.leaseOwner, o.workerId)));
  return handled;
}

async function renewLease(db: Db, jobId: string, o: RunJobOptions): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ leaseExpiresAt: sql`now() + ${o.leaseMs} * interval '1 millisecond'` })
    .where(and(eq(jobs.id, jobId), eq(jobs.leaseOwner, o.workerId), eq(jobs.status, "running")))
    .returning({ id: jobs.id });
  return rows.length === 1;
}

/** Records an item's outcome and the job's counters together; a finished item is never counted twice. */
async function finishItem(tx: Tx, jobId: string, mailboxId: string, r: MailboxTestResult | null): Promise<void> {
  const outcome = r?.outcome ?? "failure";
  const message = r?.summary ?? msg("job.deletedBeforeTest");
  await countItem(tx, jobId, mailboxId, outcome, message);
}

async function countItem(tx: Tx, jobId: string, mailboxId: string, outcome: string, message: Message): Promise<void> {
  const rows = await tx
    .update(jobItems)
    .set({ outcome, message: inEnglish(message), messageKey: message.key, messageParams: message.params ?? {}, finishedAt: new Date() })
    .where(and(eq(jobItems.jobId, jobId), eq(jobItems.mailboxId, mailboxId), isNull(jobItems.finishedAt)))
    .returning({ mailboxId: jobItems.mailboxId });
  if (rows.length === 0) return;
  const success = outcome === "success" ? 1 : 0;
  const failure = outcome === "failure" || outcome === "interrupted" ? 1 : 0;
  await tx
    .update(jobs)
    .set({ done: sql`${jobs.done} + 1`, succeeded: sql`${jobs.succeeded} + ${success}`, failed: sql`${jobs.failed} + ${failure}` })
    .where(eq(jobs.id, jobId));
}

async function finishInterrupted(db: Db, jobId: string, workerId: string): Promise<number> {
  const stale = await db
    .select({ mailboxId: jobItems.mailboxId })
    .from(jobItems)
    .where(and(eq(jobItems.jobId, jobId), eq(jobItems.outcome, "testing"), isNull(jobItems.finishedAt)))
    .orderBy(asc(jobItems.mailboxId));
  for (const s of stale) {
    await db.transaction(async (tx) => {
      // Only while this worker still holds the job.
      const [held] = await tx.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.id, jobId), eq(jobs.leaseOwner, workerId))).for("update");
      if (held) await countItem(tx, jobId, s.mailboxId, "interrupted", INTERRUPTED_MESSAGE);
    });
  }
  return stale.length;
}
