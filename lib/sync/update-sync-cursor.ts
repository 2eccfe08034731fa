import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes, type NewMailbox } from "../../db/schema/mailboxes";
import { LeaseLostError } from "./store-messages";

export type CursorColumns = Pick<Partial<NewMailbox>, "imapUidValidity" | "imapLastUid" | "syncedFrom" | "syncProgressDone" | "syncProgressTotal">;

/**
 * Writes cursor/progress columns of a mailbox this worker holds the lease on, and
 * renews the lease. Throws LeaseLostError when the lease is no longer ours.
 */
export async function updateSyncCursor(db: Db, input: { mailboxId: string; workerId: string; leaseMs: number; set: CursorColumns }): Promise<void> {
  const rows = await db
    .update(mailboxes)
    .set({ ...input.set, leaseExpiresAt: sql`now() + ${input.leaseMs} * interval '1 millisecond'`, updatedAt: new Date() })
    .where(and(eq(mailboxes.id, input.mailboxId), eq(mailboxes.leaseOwner, input.workerId)))
    .returning({ id: mailboxes.id });
  if (rows.length === 0) throw new LeaseLostError(input.mailboxId);
}
