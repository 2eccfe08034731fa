import { eq, sql } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import { mailboxFolders, type MailboxFolder } from "../../db/schema/mailboxes";
import { raiseAlert } from "../alerts/raise-alert";
import { msg } from "../i18n/message";
import { log } from "../log";
import { FIRST_BATCH, planBatches } from "./plan-batches";
import type { ProtocolSyncContext, ProtocolSyncResult } from "./protocol-sync";
import { linkKnownCopies } from "./link-folder-copies";
import { createStorePipeline } from "./store-pipeline";
import { LeaseLostError, storedSourceKeys, storeMessages } from "./store-messages";
import { candidateUids, datedCandidates, fetchBatch } from "./sync-imap";

type FolderContext = Omit<ProtocolSyncContext, "auth">;

/** The source key of a message stored from an extra folder: the path last, so it may hold any character. */
export function folderSourceKey(validity: number, uid: number, path: string): string {
  return `imapfolder:${validity}:${uid}:${path}`;
}

/**
 * Syncs the mailbox's chosen IMAP folders besides INBOX (mailboxes.imap_folders), one after
 * the other on the signed-in session, each with its own cursor (mailbox_folders). A folder
 * that no longer exists on the server is skipped with its error recorded and an alert (the
 * other folders and INBOX go on); any other failure fails the sync as INBOX's would.
 * Leaves the last folder selected: a caller that idles re-opens INBOX.
 */
export async function syncImapFolders(client: ImapFlow, ctx: FolderContext): Promise<ProtocolSyncResult> {
  const { db, mailbox: m } = ctx;
  const cursors = new Map((await db.select().from(mailboxFolders).where(eq(mailboxFolders.mailboxId, m.id))).map((f) => [f.path, f]));
  let stored = 0;
  for (const path of m.imapFolders) {
    if (ctx.shouldStop(1)) return { complete: false, stored };
    const r = await syncImapFolder(client, ctx, path, cursors.get(path));
    stored += r.stored;
    if (!r.complete) return { complete: false, stored };
  }
  return { complete: true, stored };
}

/**
 * One extra folder, opened read-only (EXAMINE: after-fetch actions apply to INBOX only, so
 * nothing is ever moved out of, or into a loop with, a chosen folder). Same cursor rules as
 * INBOX (lib/sync/sync-imap.ts): UIDs above the last one from the process-from date, a
 * backfill when that date moved earlier, a restart at 0 after a UIDVALIDITY change. A
 * message the mailbox holds already — from INBOX or another folder — is not stored again:
 * matched by Message-ID + size before any download (linkKnownCopies), else by Message-ID +
 * content hash when stored, it only gets this folder added to its list.
 */
async function syncImapFolder(client: ImapFlow, ctx: FolderContext, path: string, cursor: MailboxFolder | undefined): Promise<ProtocolSyncResult> {
  const { db, mailbox: m, conn, options } = ctx;
  let box;
  try {
    box = await client.mailboxOpen(path, { readOnly: true });
  } catch (err) {
    if (!isMissingFolder(err)) throw err;
    await folderMissing(ctx, path, err);
    return { complete: true, stored: 0 };
  }
  const validity = Number(box.uidValidity);
  const uidNext = Number(box.uidNext);
  const processFrom = conn.profile.processEmailFrom;
  let lastUid = cursor?.lastUid ?? 0;
  let syncedFrom = cursor?.syncedFrom ?? null;
  if (!cursor || cursor.uidValidity !== validity || cursor.errorCode) {
    if (cursor?.uidValidity !== validity) {
      lastUid = 0;
      syncedFrom = null;
    }
    await db
      .insert(mailboxFolders)
      .values({ mailboxId: m.id, path, uidValidity: validity, lastUid, syncedFrom, errorCode: null, errorDetail: null })
      .onConflictDoUpdate({ target: [mailboxFolders.mailboxId, mailboxFolders.path], set: { uidValidity: validity, lastUid, syncedFrom, errorCode: null, errorDetail: null } });
  }
  const uids = await candidateUids(client, { exists: box.exists, lastUid, processFrom, syncedFrom });
  const meta = await datedCandidates(client, uids, processFrom, true);
  const keyOf = (uid: number) => folderSourceKey(validity, uid, path);
  const known = await storedSourceKeys(db, m.id, meta.map((c) => keyOf(c.uid)));
  const fresh = meta.filter((c) => !known.has(keyOf(c.uid))).sort((a, b) => a.uid - b.uid);
  const todo = await linkKnownCopies(db, m.id, path, fresh);

  const lease = { mailboxId: m.id, workerId: options.workerId, leaseMs: options.leaseMs };
  let storedCount = 0;
  const batches = planBatches(todo, { maxCount: options.batchMaxMessages, firstMaxCount: FIRST_BATCH, maxBytes: options.batchMaxBytes, maxMessageBytes: options.maxMessageBytes });
  const pipeline = createStorePipeline();
  let next = 0;
  for (; next < batches.length && !ctx.shouldStop(next + 1); next++) {
    const batch = batches[next];
    const messages = await fetchBatch(client, batch, keyOf, options.maxMessageBytes);
    const top = batch[batch.length - 1].uid;
    await pipeline.push(async () => {
      const result = await storeMessages(db, {
        ...lease,
        messages,
        cursor: {},
        processed: 0,
        maxMessageBytes: options.maxMessageBytes,
        alertRecipientIds: ctx.messageAlertRecipients,
        profileId: conn.profile.profileId,
        folder: { path, lastUid: top },
      });
      storedCount += result.inserted;
    });
  }
  await pipeline.flush();
  const complete = next >= batches.length;
  if (complete) {
    // Everything below uidNext that was due is stored or linked now.
    const rows = await db.execute(sql`
      update mailbox_folders set last_uid = greatest(last_uid, ${Math.max(lastUid, uidNext - 1)}), synced_from = ${processFrom.toISOString()}::timestamptz, last_sync_at = now()
       where mailbox_id = ${m.id} and path = ${path}
         and exists (select 1 from mailboxes where id = ${m.id} and lease_owner = ${options.workerId})
      returning path`);
    if (rows.length === 0) throw new LeaseLostError(m.id);
  }
  return { complete, stored: storedCount };
}

/** The server says the folder does not exist (IMAP NONEXISTENT, or its words for it). */
function isMissingFolder(err: unknown): boolean {
  const e = err as { serverResponseCode?: string; responseText?: string; response?: string; message?: string };
  if (e?.serverResponseCode === "NONEXISTENT") return true;
  const text = `${e?.responseText ?? ""} ${e?.response ?? ""}`;
  return /mailbox (does not|doesn't) exist|no such mailbox|unknown mailbox|NONEXISTENT/i.test(text);
}

/** Records why a chosen folder was skipped (shown on the mailbox page) and tells the owners once (repeats are counted). */
async function folderMissing(ctx: FolderContext, path: string, err: unknown): Promise<void> {
  const { db, mailbox: m, conn } = ctx;
  const detail = (err instanceof Error ? `${err.message} ${(err as { responseText?: string }).responseText ?? ""}` : String(err)).trim().slice(0, 500);
  log("warn", "chosen IMAP folder does not exist; skipped", { mailboxId: m.id, folder: path, detail });
  await db
    .insert(mailboxFolders)
    .values({ mailboxId: m.id, path, errorCode: "folder_missing", errorDetail: detail, lastSyncAt: sql`now()` })
    .onConflictDoUpdate({ target: [mailboxFolders.mailboxId, mailboxFolders.path], set: { errorCode: "folder_missing", errorDetail: detail, lastSyncAt: sql`now()` } });
  await raiseAlert(db, {
    severity: "warning",
    recipientIds: [m.ownerId, conn.profile.ownerId],
    mailboxId: m.id,
    profileId: conn.profile.profileId,
    dedupKey: `incoming:folder_missing:${m.id}:${path}`,
    title: msg("alerts.text.folderMissingTitle", { folder: path }),
    message: msg("alerts.text.folderMissing", { folder: path }),
    detail: `SELECT ${path}: ${detail}`,
  });
}
