import { sql, type SQL } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import type { Db } from "../../db/client";
import { connectImap } from "../mail/connect-imap";
import { parseSource, sharedSourceBuffer } from "../mail/parse-pool";
import { FIRST_BATCH, planBatches, uidRange } from "./plan-batches";
import { incomingSession, type ProtocolSyncContext, type ProtocolSyncResult } from "./protocol-sync";
import { applyImapAfterFetch, needsAfterFetch, pauseForTest } from "./after-fetch";
import { createStorePipeline } from "./store-pipeline";
import { storedSourceKeys, storeMessages, type FetchedMessage } from "./store-messages";
import { updateSyncCursor } from "./update-sync-cursor";
import { linkKnownCopies } from "./link-folder-copies";
import { syncImapFolders } from "./sync-imap-folders";

const DAY_MS = 86_400_000;
/** UIDs per metadata FETCH, to bound one response. */
const META_CHUNK = 5_000;
/** Sources above this are downloaded one by one into a buffer of their size (see downloadSource). */
const BIG_SOURCE_BYTES = 1024 * 1024;
/** Bytes per partial FETCH of a big source. */
const DOWNLOAD_CHUNK = 1024 * 1024;

/** A message due for fetching: UID, RFC822.SIZE, INTERNALDATE, and (when folders are synced) the ENVELOPE's Message-ID. */
export type Candidate = { uid: number; size: number; date?: Date; messageId?: string | null };

/**
 * One IMAP sync of a mailbox's INBOX, opened read-only (EXAMINE: no flag
 * changes, no deletes). The cursor is (UIDVALIDITY, last UID, synced-from):
 * - UIDs above the last one whose internal date is on or after the profile's
 *   process-from date are fetched;
 * - when process-from moved earlier than synced-from, older UIDs in the new
 *   date range are backfilled;
 * - a first sync, or a changed UIDVALIDITY, starts over with cursor 0; after a
 *   change, messages stored under the old validity are adopted by Message-ID +
 *   content hash instead of stored again (storeMessageBatch).
 * Keys already stored are never downloaded again, so a sync cut short (crash,
 * budget) resumes where its last committed batch ended.
 * With an after-fetch action other than "keep" (mark read, move, delete) INBOX is
 * opened read-write (SELECT) instead, new rows are stored flagged as pending, and the
 * action is applied after the store transactions commit — and first thing at every
 * sync, for rows a crash left pending (lib/sync/after-fetch.ts). Moved or deleted UIDs
 * leave INBOX but are never reused within a UIDVALIDITY, so the cursor is unaffected.
 */
export async function syncImap(ctx: ProtocolSyncContext): Promise<ProtocolSyncResult> {
  const client = await connectImap(incomingSession(ctx.conn, ctx.auth, ctx.options));
  ctx.onConnection(() => client.close());
  try {
    const result = await syncImapSession(client, ctx);
    await client.logout().catch(() => {});
    return result;
  } finally {
    client.close();
  }
}

/** syncImap's work on a signed-in session (a new one, or one kept since the last poll): INBOX, then the chosen folders. */
export async function syncImapSession(client: ImapFlow, ctx: Omit<ProtocolSyncContext, "auth">): Promise<ProtocolSyncResult> {
  const result = await syncImapOn(client, ctx);
  // A chosen folder after INBOX, once INBOX is caught up (a sync cut short continues at once).
  const folders = result.complete && ctx.mailbox.imapFolders.length > 0 ? await syncImapFolders(client, ctx) : { complete: true, stored: 0 };
  return { complete: result.complete && folders.complete, stored: result.stored + folders.stored, cursor: result.cursor };
}

/**
 * syncImap's work on a session that is already signed in: a session held open for push
 * (lib/sync/hold-idle-session.ts) stores what IDLE announced through this same path.
 */
export async function syncImapOn(client: ImapFlow, ctx: Omit<ProtocolSyncContext, "auth">): Promise<ProtocolSyncResult> {
  const { db, mailbox: m, conn, options } = ctx;
  const afterFetch = conn.profile.afterFetch;
  const act = needsAfterFetch(afterFetch, "imap");
  // A held push session has INBOX open read-only: this re-opens it read-write when an action needs it.
  const box = await client.mailboxOpen("INBOX", { readOnly: !act });
  const validity = Number(box.uidValidity);
  const uidNext = Number(box.uidNext);
  const lease = { mailboxId: m.id, workerId: options.workerId, leaseMs: options.leaseMs };
  let lastUid = m.imapLastUid ?? 0;
  let syncedFrom = m.syncedFrom;
  let done = m.syncProgressDone;
  let total = m.syncProgressTotal;
  if (m.imapUidValidity !== validity) {
    // First sync, or the server renumbered the mailbox: start over for this validity.
    lastUid = 0;
    syncedFrom = null;
    done = total = 0;
    await updateSyncCursor(db, { ...lease, set: { imapUidValidity: validity, imapLastUid: 0, syncedFrom: null, syncProgressDone: 0, syncProgressTotal: 0 } });
  }
  const processFrom = conn.profile.processEmailFrom;
  const prefix = `imap:${validity}:`;
  const adopt = syncedFrom === null && (await hasOtherValidity(db, m.id, prefix));
  const where = { db, mailboxId: m.id, profileId: conn.profile.profileId, alertRecipientIds: ctx.messageAlertRecipients, prefix, afterFetch };
  // Rows a crash left between their commit and their action (or, after "keep" was chosen, just cleared).
  const applied = ctx.afterFetchPending === false ? true : await applyImapAfterFetch(client, where);

  // With folders chosen, a message may be stored already from another folder (Gmail labels): INBOX then lists it too.
  const folder = m.imapFolders.length > 0 ? { path: "INBOX" } : undefined;
  const uids = await candidateUids(client, { exists: box.exists, uidNext, lastUid, processFrom, syncedFrom });
  const meta = await datedCandidates(client, uids, processFrom, !!folder);
  const stored = await storedSourceKeys(db, m.id, meta.map((c) => prefix + c.uid));
  let todo = meta.filter((c) => !stored.has(prefix + c.uid)).sort((a, b) => a.uid - b.uid);
  if (folder) todo = await linkKnownCopies(db, m.id, folder.path, todo);

  // A sync that continues an unfinished first sync or backfill keeps counting; otherwise count afresh.
  const unfinished = syncedFrom === null || syncedFrom.getTime() !== processFrom.getTime();
  if (!(unfinished && done <= total && total > 0)) done = 0;
  total = done + todo.length;
  const progress = { syncProgressDone: done, syncProgressTotal: total };
  // Nothing to fetch: the progress is written with the outcome (no statement of its own).
  if (todo.length > 0) await updateSyncCursor(db, { ...lease, set: progress });

  let storedCount = 0;
  const batches = planBatches(todo, { maxCount: options.batchMaxMessages, firstMaxCount: FIRST_BATCH, maxBytes: options.batchMaxBytes, maxMessageBytes: options.maxMessageBytes });
  const pipeline = createStorePipeline();
  let next = 0;
  for (; next < batches.length && !ctx.shouldStop(next); next++) {
    const batch = batches[next];
    const messages = await fetchBatch(client, batch, (uid) => prefix + uid, options.maxMessageBytes);
    const top = batch[batch.length - 1].uid;
    const cursor = top > lastUid ? { imapLastUid: top } : {};
    if (top > lastUid) lastUid = top;
    await pipeline.push(async () => {
      const result = await storeMessages(db, {
        ...lease,
        messages,
        cursor,
        maxMessageBytes: options.maxMessageBytes,
        alertRecipientIds: ctx.messageAlertRecipients,
        profileId: conn.profile.profileId,
        afterFetchPending: act,
        folder,
        adopt: adopt ? { oldKeys: otherValidity(prefix) } : undefined,
      });
      storedCount += result.inserted;
    });
  }
  await pipeline.flush();
  // Not again in a sync whose first attempt failed: one try (and one alert count) per sync.
  if (act && applied) {
    await pauseForTest();
    await applyImapAfterFetch(client, where);
  }
  const complete = next >= batches.length;
  // Everything below uidNext that was due is stored now; later arrivals get higher UIDs. The caller writes it with the outcome.
  const cursor = complete ? { imapLastUid: Math.max(lastUid, Number.isFinite(uidNext) ? uidNext - 1 : 0), syncedFrom: processFrom } : {};
  return { complete, stored: storedCount, cursor: todo.length > 0 ? cursor : { ...progress, ...cursor } };
}

/** Rows (alias e) stored from IMAP under another UIDVALIDITY than `prefix` ("imap:<uidvalidity>:"). */
function otherValidity(prefix: string): SQL {
  return sql`(e.source_key like 'imap:%' and left(e.source_key, ${prefix.length}) <> ${prefix})`;
}

/** Whether the mailbox holds IMAP messages stored under another UIDVALIDITY (so adoption is needed). */
async function hasOtherValidity(db: Db, mailboxId: string, prefix: string): Promise<boolean> {
  const rows = await db.execute(sql`select 1 from emails e where e.mailbox_id = ${mailboxId} and ${otherValidity(prefix)} limit 1`);
  return rows.length > 0;
}

/** UIDs that may be due: above the cursor, plus (for a backfill) older ones in the newly covered dates. */
export async function candidateUids(
  client: ImapFlow,
  s: { exists: number; uidNext?: number; lastUid: number; processFrom: Date; syncedFrom: Date | null },
): Promise<number[]> {
  if (s.exists === 0) return [];
  const backfill = !!s.syncedFrom && s.processFrom < s.syncedFrom && s.lastUid > 0;
  // The server's next UID (from SELECT/EXAMINE) says no UID above the cursor exists: an unchanged poll needs no SEARCH.
  if (!backfill && s.uidNext !== undefined && Number.isFinite(s.uidNext) && s.uidNext > 0 && s.uidNext - 1 <= s.lastUid) return [];
  // SEARCH SINCE/BEFORE compare dates without time or zone: widen by a day, then filter exactly.
  const since = new Date(s.processFrom.getTime() - DAY_MS);
  const found = new Set<number>();
  const newer = await client.search({ uid: `${s.lastUid + 1}:*`, since }, { uid: true });
  // "n:*" also matches the highest UID when it is below n, hence the filter.
  for (const uid of newer || []) if (uid > s.lastUid) found.add(uid);
  if (s.syncedFrom && s.processFrom < s.syncedFrom && s.lastUid > 0) {
    const before = new Date(s.syncedFrom.getTime() + DAY_MS);
    const older = await client.search({ uid: `1:${s.lastUid}`, since, before }, { uid: true });
    for (const uid of older || []) found.add(uid);
  }
  return [...found].sort((a, b) => a - b);
}

/** The candidates whose internal date is on or after process-from, with their sizes (and Message-IDs when `withMessageId`). */
export async function datedCandidates(client: ImapFlow, uids: number[], processFrom: Date, withMessageId = false): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (let i = 0; i < uids.length; i += META_CHUNK) {
    const range = uidRange(uids.slice(i, i + META_CHUNK));
    for await (const msg of client.fetch(range, { uid: true, internalDate: true, size: true, envelope: withMessageId }, { uid: true })) {
      const date = msg.internalDate instanceof Date ? msg.internalDate : msg.internalDate ? new Date(msg.internalDate) : undefined;
      if (date && date.getTime() < processFrom.getTime()) continue;
      out.push({ uid: msg.uid, size: msg.size ?? 0, date, ...(withMessageId ? { messageId: msg.envelope?.messageId?.trim() || null } : {}) });
    }
  }
  return out;
}

/**
 * Downloads one batch: whole sources (BODY.PEEK[], leaves \Seen alone) for
 * messages within the size limit, headers only for larger ones. Each source is
 * parsed as soon as it arrives, while the rest of the batch is still streaming in.
 */
export async function fetchBatch(client: ImapFlow, batch: Candidate[], keyOf: (uid: number) => string, maxBytes: number): Promise<FetchedMessage[]> {
  const sizes = new Map(batch.map((c) => [c.uid, c.size]));
  const dates = new Map(batch.map((c) => [c.uid, c.date]));
  const normal = batch.filter((c) => c.size <= Math.min(maxBytes, BIG_SOURCE_BYTES)).map((c) => c.uid);
  const big = batch.filter((c) => c.size > BIG_SOURCE_BYTES && c.size <= maxBytes);
  const large = batch.filter((c) => c.size > maxBytes).map((c) => c.uid);
  const pending: Promise<FetchedMessage>[] = [];
  const build = (uid: number, raw: Buffer, oversized: boolean) =>
    parseSource(raw).then(({ parsed, contentHash }) => ({ sourceKey: keyOf(uid), raw, sizeBytes: sizes.get(uid) ?? raw.length, oversized, contentHash, parsed, arrivedAt: dates.get(uid) }));
  for (const c of big) {
    const raw = await downloadSource(client, c);
    if (raw) pending.push(build(c.uid, raw, false));
  }
  if (normal.length > 0) {
    for await (const msg of client.fetch(uidRange(normal), { uid: true, source: true }, { uid: true })) {
      if (msg.source) pending.push(build(msg.uid, msg.source, false));
    }
  }
  if (large.length > 0) {
    for await (const msg of client.fetch(uidRange(large), { uid: true, headers: true }, { uid: true })) {
      if (msg.headers) pending.push(build(msg.uid, msg.headers, true));
    }
  }
  return Promise.all(pending);
}

/**
 * Downloads one big source in partial FETCHes (BODY.PEEK[]<offset.length>) straight into a
 * buffer of the size the server reported. A whole-message FETCH makes imapflow gather the
 * literal in chunks and then concatenate them, holding twice the message at its peak;
 * here the peak is the message plus one chunk. The buffer is shared memory, so the parse
 * thread reads it where it is (no copy). Undefined when the message is gone.
 */
async function downloadSource(client: ImapFlow, c: Candidate): Promise<Buffer | undefined> {
  const { content } = await client.download(String(c.uid), undefined, { uid: true, chunkSize: DOWNLOAD_CHUNK });
  if (!content) return undefined;
  let buf = sharedSourceBuffer(c.size);
  let length = 0;
  for await (const chunk of content as AsyncIterable<Buffer>) {
    if (length + chunk.length > buf.length) {
      // The server reported a smaller size than it sends: grow (rare).
      const grown = sharedSourceBuffer(Math.max(buf.length * 2, length + chunk.length));
      buf.copy(grown, 0, 0, length);
      buf = grown;
    }
    chunk.copy(buf, length);
    length += chunk.length;
  }
  return length === buf.length ? buf : buf.subarray(0, length);
}
