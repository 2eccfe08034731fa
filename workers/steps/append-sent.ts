import { log } from "../../lib/log";
import { appendSentCopies } from "../../lib/outbox/append-sent-copies";
import { resolveSendOptions } from "../../lib/outbox/send-options";
import type { WorkStep } from "../loop";

/**
 * The worker step that copies sent mail into the IMAP Sent folder (profiles with
 * "append sent mail to the IMAP Sent folder"): a small batch per pass, after the
 * emails were sent and recorded. Returns how many copies it handled.
 */
export const appendSent: WorkStep = async function appendSent(ctx) {
  if (ctx.signal.aborted) return 0;
  const o = resolveSendOptions({ workerId: ctx.workerId, signal: ctx.signal });
  const tally = await appendSentCopies(ctx.db, { ...o, claimLimit: 50 });
  const handled = tally.appended + tally.found + tally.retrying + tally.failed;
  if (handled > 0) log("info", "sent copies done", { workerId: ctx.workerId, ...tally });
  return handled;
};
