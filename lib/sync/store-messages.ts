import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "../../db/client";
import { emails } from "../../db/schema/emails";
import { mailboxes, type NewMailbox } from "../../db/schema/mailboxes";
import { raiseAlert } from "../alerts/raise-alert";
import type { ParsedMessage } from "../mail/parse-message";
import { searchPairs } from "../emails/search-pairs";
import { postgresErrorOf } from "../postgres-error";
import { copySources } from "./copy-sources";
import { foldersWith } from "./link-folder-copies";
import { applyThreadMerges, assignThreads, planBatchThreads, type ThreadPlan } from "../threads/assign-threads";
import { referencedIds, subjectKey } from "../threads/thread-keys";
import { messageFactColumns } from "../mail/message-facts";
import { msg, nested, type MessageParams } from "../i18n/message";

/** One message fetched from the server, ready to store. */
export type FetchedMessage = {
  /** imap:<uidvalidity>:<uid> or pop3:<uidl>: unique per mailbox. */
  sourceKey: string;
  /** The raw source, or only its headers when `oversized`. */
  raw: Buffer;
  /** The size the server reported (the full message, even when oversized). */
  sizeBytes: number;
  oversized: boolean;
  contentHash: string;
  parsed: ParsedMessage;
  /** When the server received it (IMAP INTERNALDATE); else the parsed Received: date is used. */
  arrivedAt?: Date | null;
};

/** The mailbox's cursor columns a batch may move (committed with the messages). */
export type CursorUpdate = Pick<Partial<NewMailbox>, "imapUidValidity" | "imapLastUid" | "syncedFrom" | "syncProgressTotal">;

/** The worker lost its lease on the mailbox (it expired and another worker took it): stop without writing. */
export class LeaseLostError extends Error {
  constructor(mailboxId: string) {
    super(`The lease on mailbox ${mailboxId} was lost`);
    this.name = "LeaseLostError";
  }
}

export type StoreBatchInput = {
  mailboxId: string;
  /** The worker holding the mailbox's lease; null for mail handed in (router ingest), which holds no lease. */
  workerId: string | null;
  leaseMs: number;
  messages: FetchedMessage[];
  cursor: CursorUpdate;
  /** The size limit, named in the alert about a larger message. */
  maxMessageBytes: number;
  /** Who hears about a message that could not be parsed or was too large. */
  alertRecipientIds: (string | null)[];
  profileId?: string;
  /**
   * After the server renumbered its messages (a new UIDVALIDITY, new POP3 UIDLs):
   * a message already stored under an old key (same Message-ID, or none, and same
   * content hash) is adopted — its source key rewritten to the new one — instead
   * of stored again. `oldKeys` says which stored rows may be adopted (alias `e`).
   */
  adopt?: { oldKeys: SQL };
  /** Mark the new rows as waiting for the profile's after-fetch action (lib/sync/after-fetch.ts), in this same transaction. */
  afterFetchPending?: boolean;
  /**
   * A batch from a chosen IMAP folder (mailboxes.imap_folders), or from INBOX when the mailbox
   * has some: a message stored already (same Message-ID, or none, and same content hash) gets
   * `path` added to its folders instead of a second row, new rows list `path`, and `lastUid`
   * (extra folders only; INBOX's cursor is `cursor`) moves the folder's cursor in this transaction.
   */
  folder?: { path: string; lastUid?: number };
  /** How many candidates this batch settles (progress), when some were skipped before storing. */
  processed?: number;
};

export type StoreBatchResult = { inserted: number; adopted: number; skipped: number };

/**
 * Stores a batch in one transaction, exactly once in effect: the messages (one bulk
 * insert, ON CONFLICT DO NOTHING on the mailbox's source key, each with its conversation), their raw sources (binary COPY) and
 * attachment metadata, the mailbox's cursor and progress, a lease renewal, and
 * one alert per newly stored message that could not be parsed or was too large.
 * The lease is checked first (and the mailbox row locked): a worker whose lease
 * was taken over writes nothing (LeaseLostError). A crash before the commit
 * leaves nothing; after it, the next sync skips these keys.
 */
export async function storeMessageBatch(db: Db, input: StoreBatchInput): Promise<StoreBatchResult> {
  return db.transaction(async (tx) => {
    const owned = await holdMailboxRow(tx, input);
    if (owned.length === 0) throw new LeaseLostError(input.mailboxId);
    if (input.folder?.lastUid !== undefined) await advanceFolderCursor(tx, input.mailboxId, input.folder.path, input.folder.lastUid);
    if (input.messages.length === 0) return { inserted: 0, adopted: 0, skipped: 0 };

    let toInsert = input.messages;
    let adopted = 0;
    if (input.adopt) {
      toInsert = [];
      for (const m of input.messages) {
        const rows = await tx.execute<{ id: number }>(sql`
          update emails set source_key = ${m.sourceKey}, after_fetch_pending = after_fetch_pending or ${input.afterFetchPending ?? false}
           where id = (
             select e.id from emails e
              where e.mailbox_id = ${input.mailboxId}
                and e.content_hash = ${m.contentHash}
                and e.message_id is not distinct from ${m.parsed.messageId}
                and ${input.adopt.oldKeys}
              order by e.id
              limit 1)
             and not exists (select 1 from emails d where d.mailbox_id = ${input.mailboxId} and d.source_key = ${m.sourceKey})
          returning id`);
        if (rows.length > 0) adopted++;
        else toInsert.push(m);
      }
      if (toInsert.length === 0) return { inserted: 0, adopted, skipped: 0 };
    }
    if (input.folder) {
      const rest: FetchedMessage[] = [];
      for (const m of toInsert) {
        const rows = await tx.execute(sql`
          update emails set folders = ${foldersWith(input.folder.path)}
           where id = (
             select e.id from emails e
              where e.mailbox_id = ${input.mailboxId} and e.content_hash = ${m.contentHash} and e.message_id is not distinct from ${m.parsed.messageId}
              order by e.id limit 1)
          returning id`);
        if (rows.length > 0) adopted++;
        else rest.push(m);
      }
      toInsert = rest;
      if (toInsert.length === 0) return { inserted: 0, adopted, skipped: 0 };
    }

    // Each row is written once, with its conversation: planned before the insert (an UPDATE
    // afterwards would write every row again, its search indexes included).
    const plan = await planBatchThreads(tx, input.mailboxId, toInsert.map((m, i) => threadCandidate(i, m.parsed)));
    const rows = await insertEmailRows(tx, input, toInsert, plan.assigned);
    const byKey = new Map(toInsert.map((m) => [m.sourceKey, m]));
    const stored = rows.map((r) => ({ id: Number(r.id), m: byKey.get(r.source_key)! })).sort((a, b) => a.id - b.id);
    if (stored.length === toInsert.length) await applyThreadMerges(tx, input.mailboxId, plan.merges);
    else if (stored.length > 0) {
      // Some keys were stored meanwhile, so the plan counted messages that were not inserted: thread what was, afresh.
      await tx.execute(sql`update emails set thread_id = null, thread_method = null where id = any(${`{${stored.map((x) => x.id).join(",")}}`}::bigint[])`);
      await assignThreads(tx, input.mailboxId, stored.map(({ id, m }) => threadCandidate(id, m.parsed)));
    }
    if (stored.length > 0) {
      await copySources(tx, stored.map(({ id, m }) => ({ emailId: id, raw: m.raw })));
      const attachments = stored.flatMap(({ id, m }) =>
        m.parsed.attachments.map((a, position) => ({ email_id: id, position, filename: a.filename, content_type: a.contentType, size_bytes: a.sizeBytes, content_id: a.contentId, part_path: a.partPath })),
      );
      if (attachments.length > 0) {
        await tx.execute(sql`
          insert into email_attachments (email_id, position, filename, content_type, size_bytes, content_id, part_path)
          select * from json_to_recordset(${JSON.stringify(attachments)}::json)
            as r(email_id bigint, position int, filename text, content_type text, size_bytes int, content_id text, part_path text)`);
      }
      for (const { m } of stored) await alertAboutMessage(tx, input, m);
    }
    return { inserted: stored.length, adopted, skipped: toInsert.length - stored.length };
  });
}

/**
 * Inserts the batch's email rows in one statement: the rows go as one JSON array
 * parameter, unpacked by json_to_recordset (a bulk insert like `unnest`, with one
 * parameter instead of one per column, and no per-row query building). ON CONFLICT
 * DO NOTHING skips keys already stored; the ids of the inserted rows come back.
 */
function insertEmailRows(tx: Tx, input: StoreBatchInput, messages: FetchedMessage[], threads: ThreadPlan["assigned"]) {
  const threadOf = new Map(threads.map((t) => [t.id, t]));
  const rows = messages.map((m, i) => {
    const p = m.parsed;
    const facts = messageFactColumns(p);
    return {
      source_key: m.sourceKey,
      message_id: p.messageId,
      content_hash: m.contentHash,
      from_address: p.from?.address ?? "",
      from_name: p.from?.name ?? "",
      to_list: p.to,
      cc_list: p.cc,
      reply_to: p.replyTo,
      subject: p.subject,
      sent_at: p.date,
      arrived_at: m.arrivedAt ?? p.receivedAt,
      in_reply_to: p.inReplyTo,
      references: p.references,
      text_body: p.text,
      html_body: p.html,
      size_bytes: m.sizeBytes,
      has_attachments: p.attachments.length > 0,
      parse_error: p.parseError,
      oversized: m.oversized,
      ref_ids: facts.refIds,
      subject_key: facts.subjectKey,
      auto_kind: facts.autoKind,
      auto_reason: facts.autoReason,
      dsn_recipients: facts.dsnRecipients,
      bounced_addresses: facts.bouncedAddresses,
      thread_id: threadOf.get(i)?.threadId ?? null,
      thread_method: threadOf.get(i)?.method ?? null,
      folders: input.folder ? [input.folder.path] : null,
      search_cjk_bigrams: p.searchPairs !== undefined ? p.searchPairs : searchPairs({ subject: p.subject, fromAddress: p.from?.address ?? "", fromName: p.from?.name ?? "", text: p.text }),
    };
  });
  return tx.execute<{ id: number | string; source_key: string }>(sql`
    insert into emails (mailbox_id, after_fetch_pending, source_key, message_id, content_hash, from_address, from_name, to_list, cc_list, reply_to,
                        subject, sent_at, arrived_at, in_reply_to, "references", text_body, html_body, size_bytes, has_attachments, parse_error,
                        oversized, ref_ids, subject_key, auto_kind, auto_reason, dsn_recipients, bounced_addresses, thread_id, thread_method, folders,
                        search_cjk_bigrams)
    select ${input.mailboxId}::uuid, ${input.afterFetchPending ?? false}, r.*
      from json_to_recordset(${JSON.stringify(rows)}::json)
        as r(source_key text, message_id text, content_hash text, from_address text, from_name text, to_list jsonb, cc_list jsonb, reply_to jsonb,
             subject text, sent_at timestamptz, arrived_at timestamptz, in_reply_to text, "references" text, text_body text, html_body text,
             size_bytes int, has_attachments boolean, parse_error text, oversized boolean, ref_ids text[], subject_key text, auto_kind text,
             auto_reason text, dsn_recipients jsonb, bounced_addresses text[], thread_id uuid, thread_method text, folders text[],
             search_cjk_bigrams text)
    on conflict (mailbox_id, source_key) do nothing
    returning id, source_key`);
}

/**
 * storeMessageBatch, with a safety net so that one message the database refuses
 * (a value it cannot hold) never blocks the mailbox: when the batch fails with a
 * data error, its messages are stored one by one, and one that still fails is
 * stored raw with its parsed fields dropped and the reason as its parse error
 * (so it is flagged and alerted like an unparseable message). The cursor and
 * progress move only with the batch's last message, so a crash half-way
 * refetches and skips what was stored.
 */
export async function storeMessages(db: Db, input: StoreBatchInput): Promise<StoreBatchResult> {
  try {
    return await storeMessageBatch(db, input);
  } catch (err) {
    if (!isDataError(err) || input.messages.length === 0) throw err;
  }
  const total: StoreBatchResult = { inserted: 0, adopted: 0, skipped: 0 };
  const processed = input.processed ?? input.messages.length;
  for (const [i, m] of input.messages.entries()) {
    const last = i === input.messages.length - 1;
    const one = { ...input, processed: last ? processed - (input.messages.length - 1) : 1, cursor: last ? input.cursor : {} };
    let result: StoreBatchResult;
    try {
      result = await storeMessageBatch(db, { ...one, messages: [m] });
    } catch (err) {
      if (!isDataError(err)) throw err;
      const reason = `could not be stored as parsed (${postgresErrorOf(err)?.code}: ${(err as Error).message.slice(0, 200)})`;
      result = await storeMessageBatch(db, { ...one, messages: [{ ...m, parsed: { ...unparsed(m.parsed), parseError: reason } }] });
    }
    total.inserted += result.inserted;
    total.adopted += result.adopted;
    total.skipped += result.skipped;
  }
  return total;
}

/**
 * Checks and renews the lease (moving the cursor and progress with the batch), or,
 * for mail handed in without a lease, locks the row so writers take turns. Returns
 * the row when this writer may store.
 */
function holdMailboxRow(tx: Tx, input: StoreBatchInput) {
  if (input.workerId === null) return tx.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.id, input.mailboxId)).for("update");
  return tx
    .update(mailboxes)
    .set({
      ...input.cursor,
      syncProgressDone: sql`${mailboxes.syncProgressDone} + ${input.processed ?? input.messages.length}`,
      leaseExpiresAt: sql`now() + ${input.leaseMs} * interval '1 millisecond'`,
      updatedAt: new Date(),
    })
    .where(and(eq(mailboxes.id, input.mailboxId), eq(mailboxes.leaseOwner, input.workerId)))
    .returning({ id: mailboxes.id });
}

/** Moves an extra folder's cursor (mailbox_folders) with the batch that stored up to `lastUid`. */
async function advanceFolderCursor(tx: Tx, mailboxId: string, path: string, lastUid: number): Promise<void> {
  await tx.execute(sql`update mailbox_folders set last_uid = greatest(last_uid, ${lastUid}) where mailbox_id = ${mailboxId} and path = ${path}`);
}

function threadCandidate(id: number, p: ParsedMessage) {
  return { id, messageId: p.messageId, inReplyTo: p.inReplyTo, refIds: referencedIds(p.inReplyTo, p.references), subject: p.subject, subjectKey: subjectKey(p.subject) };
}

/** Postgres refused a value (class 22 data exception, 54 program limit such as an oversized index entry). */
function isDataError(err: unknown): boolean {
  const code = postgresErrorOf(err)?.code;
  return !!code && (code.startsWith("22") || code.startsWith("54"));
}

/** The fields of a message that could not be stored as parsed: only what is safe to keep. */
function unparsed(p: ParsedMessage): ParsedMessage {
  const safe = (s: string) => s.replace(/[^\x20-\x7E]/g, "?").slice(0, 200);
  return {
    messageId: null,
    from: null,
    to: [],
    cc: [],
    replyTo: [],
    subject: safe(p.subject),
    // The date may be the very value the database refused.
    date: null,
    receivedAt: null,
    inReplyTo: null,
    references: null,
    text: null,
    html: null,
    attachments: [],
    parseError: null,
    automatic: null,
    dsn: [],
  };
}

/** Raises the one alert a stored message deserves: too large, or not parseable. */
async function alertAboutMessage(db: DbOrTx, input: StoreBatchInput, m: FetchedMessage): Promise<void> {
  if (!m.oversized && !m.parsed.parseError) return;
  const subject: MessageParams = m.parsed.subject ? { subject: m.parsed.subject } : { subjectKey: "alerts.text.noSubject" };
  const what = m.parsed.from?.address ? msg("alerts.text.whatFrom", { ...subject, from: m.parsed.from.address }) : msg("alerts.text.what", subject);
  if (m.oversized) {
    await raiseAlert(db, {
      severity: "warning",
      recipientIds: input.alertRecipientIds,
      mailboxId: input.mailboxId,
      profileId: input.profileId,
      dedupKey: `incoming:oversized:${input.mailboxId}:${m.sourceKey}`,
      title: msg("alerts.text.oversizedTitle"),
      message: msg("alerts.text.oversized", { ...nested("what", what), size: formatBytes(m.sizeBytes), max: formatBytes(input.maxMessageBytes) }),
      detail: `source ${m.sourceKey}, ${m.sizeBytes} bytes`,
    });
  } else {
    await raiseAlert(db, {
      severity: "warning",
      recipientIds: input.alertRecipientIds,
      mailboxId: input.mailboxId,
      profileId: input.profileId,
      dedupKey: `incoming:unparsed:${input.mailboxId}:${m.sourceKey}`,
      title: msg("alerts.text.unparsedTitle"),
      message: msg("alerts.text.unparsed", nested("what", what)),
      detail: `source ${m.sourceKey}: ${m.parsed.parseError}`,
    });
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** Which of `keys` this mailbox has stored already (so they are not downloaded again). */
export async function storedSourceKeys(db: Db, mailboxId: string, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 5000) {
    const rows = await db
      .select({ k: emails.sourceKey })
      .from(emails)
      .where(and(eq(emails.mailboxId, mailboxId), inArray(emails.sourceKey, keys.slice(i, i + 5000))));
    for (const r of rows) found.add(r.k);
  }
  return found;
}
