import type { Db } from "../../db/client";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { readJobProgress, type JobProgress } from "./job-progress-view";

/**
 * A job's live progress for the profile page or the mailbox list (mailbox:test):
 * status, n of N done, successes, failures, and each mailbox's outcome.
 */
export async function getJobProgress(db: Db, actor: Actor | null, jobId: string): Promise<JobProgress> {
  assertCan(actor, "mailbox:test");
  const progress = isUuid(jobId) ? await readJobProgress(db, jobId) : null;
  if (!progress) throw new AppError("not_found", msg("error.job.notFound"));
  return progress;
}
