import { inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { createTestEnableJob } from "../jobs/create-test-enable-job";
import { isUuid } from "../is-uuid";
import { runMailboxTest, type MailboxTestResult } from "./run-mailbox-test";

/** Up to this many mailboxes are tested while the person waits; more go to a background job. */
export const INLINE_TEST_LIMIT = 5;

export type TestAndEnableOutcome = { kind: "results"; results: MailboxTestResult[] } | { kind: "job"; jobId: string; total: number };

/**
 * Test & enable (SPEC §3, mailbox:test) for one mailbox or a selection. A few
 * mailboxes are tested now, in parallel, and their results returned; a larger
 * selection becomes a background job (the same one as "test & enable all
 * mailboxes of a profile"), whose id is returned for progress.
 */
export async function testAndEnableMailboxes(db: Db, actor: Actor | null, input: { ids: string[] }): Promise<TestAndEnableOutcome> {
  assertCan(actor, "mailbox:test");
  const ids = [...new Set(input.ids.filter(isUuid))];
  if (ids.length === 0) throw new AppError("invalid", msg("error.mailbox.selectOne"));
  const found = await db.select({ id: mailboxes.id }).from(mailboxes).where(inArray(mailboxes.id, ids));
  if (found.length !== ids.length) throw new AppError("not_found", msg("error.mailbox.someGone"));
  if (ids.length > INLINE_TEST_LIMIT) {
    const jobId = await createTestEnableJob(db, { createdById: actor.id, profileId: null, mailboxIds: ids });
    return { kind: "job", jobId, total: ids.length };
  }
  const results = await Promise.all(ids.map((id) => runMailboxTest(db, id)));
  return { kind: "results", results: results.filter((r): r is MailboxTestResult => r !== null) };
}
