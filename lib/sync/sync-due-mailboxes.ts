import type { Db } from "../../db/client";
import { claimDueMailboxRows } from "./claim-due-mailboxes";
import { syncMailbox, type SyncOutcome } from "./sync-mailbox";
import type { SyncOptions } from "./sync-options";

/**
 * Claims up to `limit` due mailboxes and syncs them side by side, waiting for all.
 * For callers that want one complete pass (tests, a one-off run); the worker
 * uses workers/steps/sync-mailboxes.ts, which does not wait.
 */
export async function syncDueMailboxes(db: Db, options: SyncOptions, limit = 4): Promise<SyncOutcome[]> {
  const { rows } = await claimDueMailboxRows(db, { workerId: options.workerId, limit, leaseMs: options.leaseMs });
  return Promise.all(rows.map((row) => syncMailbox(db, row, options)));
}
