import type { Db } from "../../db/client";
import { claimDueEmails } from "./claim-due-emails";
import { sendClaimedEmails, type SendTally } from "./send-claimed-emails";
import type { SendOptions } from "./send-options";

/**
 * Claims up to `options.claimLimit` due emails and sends them, waiting for all:
 * one complete pass, for tests and one-off runs. The worker uses
 * workers/steps/send-outbox.ts, which does not wait.
 */
export async function sendDueEmails(db: Db, options: SendOptions): Promise<SendTally & { claimed: number }> {
  const claimed = await claimDueEmails(db, { workerId: options.workerId, limit: options.claimLimit, leaseMs: options.leaseMs });
  const tally = await sendClaimedEmails(db, claimed, options);
  return { ...tally, claimed: claimed.length };
}
