import { and, eq, like, sql } from "drizzle-orm";
import type { Readable } from "node:stream";
import type { Db } from "../../db/client";
import { emails } from "../../db/schema/emails";
import { connectPop3Session } from "../mail/connect-pop3-session";
import type { ParsedMessage } from "../mail/parse-message";
import { parseSource, sharedSourceBuffer } from "../mail/parse-pool";
import type { Pop3Client } from "../mail/pop3";
import { FIRST_BATCH, planBatches } from "./plan-batches";
import { incomingSession, type ProtocolSyncContext, type ProtocolSyncResult } from "./protocol-sync";
import { clearPop3AfterFetch, markPop3AfterFetch, needsAfterFetch, pauseForTest } from "./after-fetch";
import { createStorePipeline } from "./store-pipeline";
import { storedSourceKeys, storeMessages, type FetchedMessage } from "./store-messages";
import { updateSyncCursor } from "./update-sync-cursor";

/** Above this size a message's Date is read with TOP n 0 before deciding to RETR it. */
const TOP_FIRST_BYTES = 64 * 1024;

/**
 * UIDLs found older than process-from, per mailbox, so a poll does not download
 * them again. Only a cache (lost on restart, which costs one more look): the
 * stored source keys are the record of what is done.
 */
const olderThanProcessFrom = new Map<string, { from: number; uidls: Set<string> }>();

type Candidate = { n: number; uidl: string; size: number };

/**
 * One POP3 sync: UIDL, then RETR each message whose `pop3:<uidl>` key is not
 * stored yet and whose Date header is on or after process-from (read with TOP
 * n 0 first when the message is large). Mail stays on the server unless the
 * profile's after-fetch action is "delete": then, once the store transactions have
 * committed, every stored message still pending is DELEd and QUIT commits the deletions
 * (lib/sync/after-fetch.ts); a crash before QUIT deletes nothing and the next sync
 * deletes again. A deleted message's key stays stored, so nothing is fetched twice.
 * Messages larger than the limit are stored as their headers (TOP n 0).
 * When the server renumbered its UIDLs (stored keys no longer listed), a message
 * matching an orphaned row by Message-ID + content hash adopts it instead of
 * being stored twice.
 */
export async function syncPop3(ctx: ProtocolSyncContext): Promise<ProtocolSyncResult> {
  const { db, mailbox: m, conn, options } = ctx;
  const client = await connectPop3Session(incomingSession(conn, ctx.auth, options));
  ctx.onConnection(() => client.close());
  try {
    const lease = { mailboxId: m.id, workerId: options.workerId, leaseMs: options.leaseMs };
    const processFrom = conn.profile.processEmailFrom;
    const listed = await client.uidl();
    const sizes = new Map((await client.list()).map((x) => [x.n, x.size]));
    const keyOf = (uidl: string) => `pop3:${uidl}`;
    const stored = await storedSourceKeys(db, m.id, listed.map((u) => keyOf(u.uidl)));
    let old = olderThanProcessFrom.get(m.id);
    if (!old || old.from !== processFrom.getTime()) {
      old = { from: processFrom.getTime(), uidls: new Set() };
      olderThanProcessFrom.set(m.id, old);
    }
    const todo: Candidate[] = listed
      .filter((u) => !stored.has(keyOf(u.uidl)) && !old.uidls.has(u.uidl))
      .map((u) => ({ ...u, size: sizes.get(u.n) ?? 0 }));
    const listedKeys = listed.map((u) => keyOf(u.uidl));
    const adopt = todo.length > 0 && (await storedPop3Count(db, m.id)) > stored.size;

    const unfinished = m.syncedFrom === null || m.syncedFrom.getTime() !== processFrom.getTime();
    const done = unfinished && m.syncProgressTotal > 0 && m.syncProgressDone <= m.syncProgressTotal ? m.syncProgressDone : 0;
    await updateSyncCursor(db, { ...lease, set: { syncProgressDone: done, syncProgressTotal: done + todo.length } });

    let storedCount = 0;
    const batches = planBatches(todo, { maxCount: options.batchMaxMessages, firstMaxCount: FIRST_BATCH, maxBytes: options.batchMaxBytes, maxMessageBytes: options.maxMessageBytes });
    const pipeline = createStorePipeline();
    let next = 0;
    for (; next < batches.length && !ctx.shouldStop(next); next++) {
      const batch = batches[next];
      const pending: Promise<FetchedMessage | null>[] = [];
      for (const c of batch) pending.push((await fetchOne(client, c, keyOf(c.uidl), processFrom, options.maxMessageBytes)).parsed);
      const fetched = await Promise.all(pending);
      const messages = fetched.filter((x): x is FetchedMessage => x !== null);
      for (const [i, x] of fetched.entries()) if (x === null) old.uidls.add(batch[i].uidl);
      await pipeline.push(async () => {
        const result = await storeMessages(db, {
          ...lease,
          messages,
          processed: batch.length,
          cursor: {},
          maxMessageBytes: options.maxMessageBytes,
          alertRecipientIds: ctx.messageAlertRecipients,
          profileId: conn.profile.profileId,
          afterFetchPending: needsAfterFetch(conn.profile.afterFetch, "pop3"),
          adopt: adopt ? { oldKeys: sql`(e.source_key like 'pop3:%' and e.source_key <> all(${textArray(listedKeys)}::text[]))` } : undefined,
        });
        storedCount += result.inserted;
      });
    }
    await pipeline.flush();
    const complete = next >= batches.length;
    if (complete) await updateSyncCursor(db, { ...lease, set: { syncedFrom: processFrom } });
    const where = { db, mailboxId: m.id, profileId: conn.profile.profileId, alertRecipientIds: ctx.messageAlertRecipients };
    const marked = await markPop3AfterFetch(client, { ...where, afterFetch: conn.profile.afterFetch, listed });
    await pauseForTest();
    if (marked.length === 0) await client.quit().catch(() => {});
    else {
      // Only a QUIT the server answered commits the DELEs.
      await client.quit();
      await clearPop3AfterFetch(db, m.id, marked);
    }
    return { complete, stored: storedCount };
  } finally {
    client.close();
  }
}

/**
 * Reads one message and returns the promise of its parsed form (null when its
 * Date is before process-from). The bytes are read here, in command order;
 * parsing goes on while the next command is already on its way (hence the
 * wrapper: an awaited promise of a promise would wait for the parse).
 */
async function fetchOne(client: Pop3Client, c: Candidate, sourceKey: string, processFrom: Date, maxBytes: number): Promise<{ parsed: Promise<FetchedMessage | null> }> {
  const tooOld = (p: ParsedMessage) => p.date !== null && p.date.getTime() < processFrom.getTime();
  if (c.size > maxBytes || c.size > TOP_FIRST_BYTES) {
    const headers = await readAll(await client.top(c.n, 0), Infinity);
    const head = await parseSource(headers);
    if (tooOld(head.parsed)) return { parsed: Promise.resolve(null) };
    if (c.size > maxBytes) return { parsed: Promise.resolve(message(sourceKey, headers, c.size, true, head)) };
  }
  const raw = await readAll(await client.retr(c.n), maxBytes, c.size);
  if (raw === null) {
    // Bigger than LIST said and than the limit: keep the headers only.
    const headers = await readAll(await client.top(c.n, 0), Infinity);
    return { parsed: parseSource(headers).then((r) => (tooOld(r.parsed) ? null : message(sourceKey, headers, c.size, true, r))) };
  }
  return { parsed: parseSource(raw).then((r) => (tooOld(r.parsed) ? null : message(sourceKey, raw, Math.max(c.size, raw.length), false, r))) };
}

function message(sourceKey: string, raw: Buffer, sizeBytes: number, oversized: boolean, r: { parsed: ParsedMessage; contentHash: string }): FetchedMessage {
  return { sourceKey, raw, sizeBytes, oversized, contentHash: r.contentHash, parsed: r.parsed };
}

/**
 * Reads a message stream into one buffer, allocated once at the expected size
 * when known (in shared memory, which the parse thread reads without a copy). Returns null (and stops reading; the client drains the rest) when
 * more than `limit` bytes arrive.
 */
async function readAll(stream: Readable, limit: number): Promise<Buffer>;
async function readAll(stream: Readable, limit: number, expected: number): Promise<Buffer | null>;
async function readAll(stream: Readable, limit: number, expected = 0): Promise<Buffer | null> {
  let buf = sharedSourceBuffer(Math.min(Math.max(expected, 4096), Number.isFinite(limit) ? limit + 1 : Infinity));
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (length + chunk.length > limit) {
      stream.destroy();
      return null;
    }
    if (length + chunk.length > buf.length) {
      const bigger = sharedSourceBuffer(Math.max(buf.length * 2, length + chunk.length));
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
    chunk.copy(buf, length);
    length += chunk.length;
  }
  return buf.subarray(0, length);
}

/**
 * How many POP3 messages the mailbox has stored. More than the listed UIDLs found
 * stored means some stored rows are no longer listed (renumbered, or deleted on
 * the server): their messages may come back under new UIDLs and are adopted.
 */
async function storedPop3Count(db: Db, mailboxId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(emails)
    .where(and(eq(emails.mailboxId, mailboxId), like(emails.sourceKey, "pop3:%")));
  return row?.n ?? 0;
}

/** A Postgres text[] literal, each element quoted (UIDLs may hold any printable character). */
function textArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}
