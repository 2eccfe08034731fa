import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { createTestEnableJob } from "./create-test-enable-job";

/**
 * "Test & enable all mailboxes of a profile" (SPEC §3, mailbox:test): queues a
 * background job with one item per mailbox of the profile, which the worker runs
 * (workers/steps/run-jobs.ts). Follow it with getJobProgress. Returns the job id
 * and how many mailboxes it covers; refuses a profile without mailboxes.
 */
export async function enqueueTestAllJob(db: Db, actor: Actor | null, input: { profileId: string }): Promise<{ jobId: string; total: number }> {
  assertCan(actor, "mailbox:test");
  const [profile] = isUuid(input.profileId) ? await db.select({ id: profiles.id, name: profiles.name }).from(profiles).where(eq(profiles.id, input.profileId)) : [];
  if (!profile) throw new AppError("not_found", msg("error.profile.gone"));
  const rows = await db.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.profileId, profile.id)).orderBy(asc(mailboxes.name));
  if (rows.length === 0) throw new AppError("invalid", msg("error.job.noMailboxes", { profile: profile.name }));
  const jobId = await createTestEnableJob(db, { createdById: actor.id, profileId: profile.id, mailboxIds: rows.map((r) => r.id) });
  return { jobId, total: rows.length };
}
