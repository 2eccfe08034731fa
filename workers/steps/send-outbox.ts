import { log } from "../../lib/log";
import { sendDueEmails } from "../../lib/outbox/send-due-emails";
import { resolveSendOptions, type SendOptions } from "../../lib/outbox/send-options";
import type { WorkStep } from "../loop";

/**
 * The worker step for outgoing mail: claims a batch of due emails and sends it
 * (pooled SMTP sessions per mailbox, within its connection budget). Unlike the
 * incoming step it waits for its batch, on purpose: a worker stopping (SIGTERM)
 * leaves the loop only after the emails in flight are recorded, so a graceful
 * shutdown never forgets an email the server accepted (which would send it
 * twice). A batch stops taking new emails after `budgetMs` or on shutdown, so
 * the loop is held briefly. Returns how many emails it claimed.
 */
export function createSendOutboxStep(overrides: Partial<SendOptions> = {}): WorkStep {
  return async function sendOutbox(ctx) {
    if (ctx.signal.aborted) return 0;
    const options = resolveSendOptions({ ...overrides, workerId: ctx.workerId, signal: ctx.signal });
    const result = await sendDueEmails(ctx.db, options);
    if (result.claimed > 0) log("info", "outbox batch done", { workerId: ctx.workerId, ...result });
    return result.claimed;
  };
}

/** The step registered in workers/loop.ts. */
export const sendOutbox = createSendOutboxStep();
