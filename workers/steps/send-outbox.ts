import { log } from "../../lib/log";
import { sendDueEmails } from "../../lib/outbox/send-due-emails";
import { resolveSendOptions, type SendOptions } from "../../lib/outbox/send-options";
import { createSmtpTransportCache, type SmtpTransportCache } from "../../lib/outbox/smtp-transport-cache";
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
  // SMTP pools stay open between batches (one greeting, TLS handshake and AUTH per session, not per batch);
  // closed after idling, and on shutdown by drain().
  let transports: SmtpTransportCache | null = null;
  const step: WorkStep = async function sendOutbox(ctx) {
    if (ctx.signal.aborted) return 0;
    const options = resolveSendOptions({ ...overrides, workerId: ctx.workerId, signal: ctx.signal });
    transports ??= createSmtpTransportCache(ctx.db, { owner: ctx.workerId, leaseMs: options.leaseMs });
    const result = await sendDueEmails(ctx.db, { ...options, transports });
    if (result.claimed > 0) log("info", "outbox batch done", { workerId: ctx.workerId, ...result });
    return result.claimed;
  };
  step.drain = async () => {
    await transports?.closeAll();
  };
  return step;
}

/** The step registered in workers/loop.ts. */
export const sendOutbox = createSendOutboxStep();
