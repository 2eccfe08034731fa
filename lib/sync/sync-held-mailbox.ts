import { and, eq, sql } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import type { MailboxConnection } from "../mailboxes/get-mailbox-connection";
import { recordSyncRun } from "./record-sync-run";
import { cursorAssignments } from "./record-sync-done";
import { LeaseLostError } from "./store-messages";
import { syncImapOn } from "./sync-imap";
import { syncImapFolders } from "./sync-imap-folders";
import type { SyncOptions } from "./sync-options";
import type { ProtocolSyncContext } from "./protocol-sync";

/**
 * One sync of a mailbox on the IMAP session a worker holds open for push, through the
 * same exactly-once path as polling (syncImapOn → storeMessages, the UID cursor under
 * the lease). Records the success like a polled sync but keeps the lease (the session
 * goes on holding the mailbox) and records the run for the dashboard (`dueAt`: when the
 * server announced the mail). Throws what the sync throws: the session reconnects.
 */
export async function syncHeldMailbox(
  db: Db,
  client: ImapFlow,
  input: { mailboxId: string; conn: MailboxConnection; options: SyncOptions; dueAt: Date | null },
): Promise<{ stored: number; complete: boolean }> {
  const { options } = input;
  return onHeldSession(db, input, async (ctx) => {
    const result = await syncImapOn(client, ctx);
    const intervalMs = options.intervalMs ?? input.conn.profile.minPollingIntervalMinutes * 60_000;
    // As recordSyncSuccess, without giving the lease back; next_sync_at is when polling resumes if the session ends. The cursor comes with it.
    const ours = await db.execute(sql`
      update mailboxes set last_sync_at = now(), next_sync_at = now() + ${intervalMs} * interval '1 millisecond',
             incoming_status = 'success', consecutive_failures = 0, first_failure_at = null,
             lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond'
             ${cursorAssignments(result.cursor)}
       where id = ${ctx.mailbox.id} and lease_owner = ${options.workerId}
      returning id`);
    if (ours.length === 0) throw new LeaseLostError(ctx.mailbox.id);
    return result;
  });
}

/**
 * The chosen folders besides INBOX of a mailbox held for push (IDLE watches INBOX only): the
 * held session syncs them once per polling interval through the polled path's per-folder
 * cursors (syncImapFolders), then re-opens INBOX read-only to idle again. Recorded for the
 * dashboard like a sync. Throws what the sync throws: the session reconnects.
 */
export async function syncHeldFolders(
  db: Db,
  client: ImapFlow,
  input: { mailboxId: string; conn: MailboxConnection; options: SyncOptions },
): Promise<{ stored: number; complete: boolean }> {
  return onHeldSession(db, { ...input, dueAt: null }, async (ctx) => {
    const result = await syncImapFolders(client, ctx);
    await client.mailboxOpen("INBOX", { readOnly: true });
    return result;
  });
}

/**
 * What both syncs on a held session share: the mailbox, loaded only while this worker
 * leases it; the sync context (stopped by the worker's signal or the time budget; the
 * held connection is not cut from here); and the run recorded for the dashboard.
 */
async function onHeldSession<R extends { stored: number; complete: boolean }>(
  db: Db,
  input: { mailboxId: string; conn: MailboxConnection; options: SyncOptions; dueAt: Date | null },
  sync: (ctx: Omit<ProtocolSyncContext, "auth">) => Promise<R>,
): Promise<R> {
  const { options } = input;
  const startedAt = new Date();
  const [m] = await db.select().from(mailboxes).where(and(eq(mailboxes.id, input.mailboxId), eq(mailboxes.leaseOwner, options.workerId)));
  if (!m) throw new LeaseLostError(input.mailboxId);
  const started = Date.now();
  const result = await sync({
    db,
    mailbox: m,
    conn: input.conn,
    options,
    shouldStop: (next) => !!options.signal?.aborted || (next > 0 && Date.now() - started >= options.budgetMs),
    onConnection: () => {},
    messageAlertRecipients: [m.ownerId],
  });
  await recordSyncRun(db, {
    mailboxId: m.id,
    profileId: m.profileId,
    protocol: "imap",
    workerId: options.workerId,
    result: result.complete ? "synced" : "partial",
    errorCode: null,
    stored: result.stored,
    dueAt: input.dueAt,
    startedAt,
    finishedAt: new Date(),
  });
  return result;
}
