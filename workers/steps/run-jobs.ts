import { env } from "../../lib/env";
import { runNextJob } from "../../lib/jobs/run-next-job";
import type { LoopContext } from "../loop";

/** Long enough to outlive one mailbox's test (two parallel connections, each with MAILROOM_MAIL_TIMEOUT_MS per phase). */
const leaseMs = () => Math.max(120_000, env().MAILROOM_MAIL_TIMEOUT_MS * 4);
/** A job yields to the other steps (incoming sync, outbox) after this long; it keeps its lease and goes on next pass. */
const BUDGET_MS = 10_000;

/** Worker step: background jobs such as "test & enable all mailboxes of a profile". */
export async function runJobs(ctx: LoopContext): Promise<number> {
  return runNextJob(ctx.db, { workerId: ctx.workerId, leaseMs: leaseMs(), budgetMs: BUDGET_MS, signal: ctx.signal });
}
