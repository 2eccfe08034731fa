import { asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { jobItems, jobs } from "../../db/schema/jobs";
import { mailboxes } from "../../db/schema/mailboxes";
import { storedMessage, type Message } from "../i18n/message";

/** Per-mailbox outcome of a job item; null while it waits, "testing" while the worker is on it. */
export type JobItemOutcome = "success" | "failure" | "waiting_approval" | "nothing_to_test" | "interrupted" | "testing" | null;

/** `message`: a key to render in the reader's language, or the English text of an item stored before keys. */
export type JobItemProgress = { mailboxId: string; mailboxName: string; emailAddress: string; outcome: JobItemOutcome; message: Message | string | null; finishedAt: Date | null };

/** A job's progress (n of N, successes, failures) and each mailbox's outcome. */
export type JobProgress = {
  id: string;
  kind: string;
  profileId: string | null;
  status: "queued" | "running" | "done" | "failed";
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  createdAt: Date;
  finishedAt: Date | null;
  items: JobItemProgress[];
};

/** Reads a job with its items (finished first, each group by mailbox name). No privilege check: callers check. */
export async function readJobProgress(db: DbOrTx, jobId: string): Promise<JobProgress | null> {
  const [job] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  if (!job) return null;
  const items = await db
    .select({ mailboxId: jobItems.mailboxId, mailboxName: mailboxes.name, emailAddress: mailboxes.emailAddress, outcome: jobItems.outcome, message: jobItems.message, messageKey: jobItems.messageKey, messageParams: jobItems.messageParams, finishedAt: jobItems.finishedAt })
    .from(jobItems)
    .innerJoin(mailboxes, eq(mailboxes.id, jobItems.mailboxId))
    .where(eq(jobItems.jobId, jobId))
    .orderBy(sql`${jobItems.finishedAt} is null`, asc(sql`lower(${mailboxes.name})`), asc(jobItems.mailboxId))
    .limit(2000);
  return {
    id: job.id,
    kind: job.kind,
    profileId: job.profileId,
    status: job.status,
    total: job.total,
    done: job.done,
    succeeded: job.succeeded,
    failed: job.failed,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    items: items.map(({ messageKey, messageParams, ...i }) => ({ ...i, message: storedMessage(messageKey, messageParams, i.message), outcome: i.outcome as JobItemOutcome })),
  };
}
