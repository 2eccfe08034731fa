import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { hasReplyPrefix, type ThreadMethod } from "./thread-keys";

/** A message just inserted, in the order it was stored. */
export type ThreadCandidate = {
  id: number;
  messageId: string | null;
  inReplyTo: string | null;
  /** referencedIds(): In-Reply-To first, then References newest first. */
  refIds: string[];
  subject: string;
  subjectKey: string | null;
};

/** What is already threaded in the mailbox that the batch may join. */
export type KnownThreads = {
  /** Stored messages by Message-ID → their thread. */
  byMessageId: Map<string, string>;
  /**
   * A Message-ID → the thread of a stored message that references it: a reply stored
   * before its parent, or a sibling answering the same message.
   */
  referencedBy: Map<string, string>;
  /** Mail sent from the app (the outbox) by Message-ID → its thread. */
  outgoing: Map<string, string>;
  /** Recent conversations by subject key (only asked for when subject matching is on). */
  bySubject: Map<string, string>;
};

export type ThreadPlan = {
  assigned: { id: number; threadId: string; method: ThreadMethod }[];
  /** Threads found to be one conversation: `from` is renamed `to` everywhere in the mailbox. */
  merges: { from: string; to: string }[];
};

/**
 * Decides each message's conversation, in order, so a message may join one stored
 * earlier in the same batch. The first match wins: its In-Reply-To, then its
 * References (newest first), then a stored message answering the same one, then a
 * copy with the same Message-ID or a stored reply to it, then mail sent from the app it references, then (only for a
 * subject with a Re:/Fwd: prefix) a recent conversation with the same subject;
 * else a new conversation. When a message ties two conversations together (a
 * parent arriving after replies that started their own), they are merged into
 * the one it joined.
 */
export function planThreads(batch: ThreadCandidate[], known: KnownThreads, newId: () => string = randomUUID): ThreadPlan {
  const rename = new Map<string, string>();
  const resolve = (t: string) => {
    while (rename.has(t)) t = rename.get(t)!;
    return t;
  };
  const byMessageId = new Map(known.byMessageId);
  const referencedBy = new Map(known.referencedBy);
  const bySubject = new Map(known.bySubject);
  const chosen: { id: number; threadId: string; method: ThreadMethod }[] = [];
  const merges: ThreadPlan["merges"] = [];

  for (const m of batch) {
    const found: { threadId: string; method: ThreadMethod }[] = [];
    const add = (t: string | undefined, method: ThreadMethod) => {
      if (t) found.push({ threadId: resolve(t), method });
    };
    const inReplyTo = m.inReplyTo?.match(/<[^<>\s]+>/)?.[0];
    if (inReplyTo) add(byMessageId.get(inReplyTo), "in_reply_to");
    for (const r of m.refIds) if (r !== inReplyTo) add(byMessageId.get(r), "references");
    for (const r of m.refIds) add(referencedBy.get(r), "references");
    if (m.messageId) {
      add(byMessageId.get(m.messageId), "message_id");
      add(referencedBy.get(m.messageId), "message_id");
    }
    for (const r of m.refIds) add(known.outgoing.get(r), "outgoing");
    if (found.length === 0 && m.subjectKey && hasReplyPrefix(m.subject)) add(bySubject.get(m.subjectKey), "subject");

    const first = found[0] ?? { threadId: newId(), method: "new" as const };
    for (const other of found) {
      const from = resolve(other.threadId);
      if (from !== first.threadId) {
        rename.set(from, first.threadId);
        merges.push({ from, to: first.threadId });
      }
    }
    chosen.push({ id: m.id, threadId: first.threadId, method: first.method });
    if (m.messageId && !byMessageId.has(m.messageId)) byMessageId.set(m.messageId, first.threadId);
    for (const r of m.refIds) if (!referencedBy.has(r)) referencedBy.set(r, first.threadId);
    if (m.subjectKey) bySubject.set(m.subjectKey, first.threadId);
  }
  return { assigned: chosen.map((c) => ({ ...c, threadId: resolve(c.threadId) })), merges };
}

/** How far back a subject-only match looks. */
export const SUBJECT_MATCH_DAYS = 14;

/**
 * Plans the conversations of a batch about to be stored (or just stored) in a mailbox:
 * reads what the batch could join in four queries, then planThreads. Called inside the
 * store transaction, which holds the mailbox row, so no other writer threads this
 * mailbox meanwhile. The candidates' ids only have to be distinct (the store plans
 * before inserting, by position, so each row is written once with its thread).
 * Subject matching follows the organisation's "group replies by subject" setting.
 */
export async function planBatchThreads(tx: Tx, mailboxId: string, batch: ThreadCandidate[]): Promise<ThreadPlan> {
  if (batch.length === 0) return { assigned: [], merges: [] };
  const own = [...new Set(batch.flatMap((m) => (m.messageId ? [m.messageId] : [])))];
  const refs = [...new Set(batch.flatMap((m) => m.refIds))];
  const wanted = [...new Set([...own, ...refs])];
  // Who else answers these: the message's own id, its parent, grandparent and root (not every id in a long References).
  const answered = [...new Set([...own, ...batch.flatMap((m) => [m.refIds[0], m.refIds[1], m.refIds.at(-1)].filter((r): r is string => !!r))])];
  const subjects = [...new Set(batch.flatMap((m) => (m.subjectKey && hasReplyPrefix(m.subject) ? [m.subjectKey] : [])))];
  const textArray = (values: string[]) => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`}::text[]`;

  const [stored, replies, outgoing, recent] = await Promise.all([
    wanted.length
      ? tx.execute<{ message_id: string; thread_id: string }>(sql`
          select distinct on (message_id) message_id, thread_id from emails
           where mailbox_id = ${mailboxId} and message_id = any(${textArray(wanted)}) and thread_id is not null
           order by message_id, id`)
      : [],
    answered.length
      ? tx.execute<{ ref_id: string; thread_id: string | null }>(sql`
          select w.ref_id, (select e.thread_id from emails e
                             where e.mailbox_id = ${mailboxId} and e.ref_ids @> array[w.ref_id] and e.thread_id is not null
                             limit 1) as thread_id
            from unnest(${textArray(answered)}) as w(ref_id)`)
      : [],
    refs.length
      ? tx.execute<{ message_id: string; thread_id: string }>(sql`
          select message_id, thread_id from outbox
           where mailbox_id = ${mailboxId} and message_id = any(${textArray(refs)}) and thread_id is not null`)
      : [],
    subjects.length
      ? tx.execute<{ subject_key: string; thread_id: string }>(sql`
          select distinct on (subject_key) subject_key, thread_id from emails
           where mailbox_id = ${mailboxId} and subject_key = any(${textArray(subjects)}) and thread_id is not null
             and stored_at > now() - ${SUBJECT_MATCH_DAYS} * interval '1 day'
             -- The organisation's switch is read here rather than passed in: no extra statement, and always current.
             and coalesce((select thread_by_subject from org_settings where id = 1), true)
           order by subject_key, stored_at desc`)
      : [],
  ]);
  return planThreads(batch, {
    byMessageId: new Map(stored.map((r) => [r.message_id, r.thread_id])),
    referencedBy: new Map(replies.flatMap((r) => (r.thread_id ? [[r.ref_id, r.thread_id] as const] : []))),
    outgoing: new Map(outgoing.map((r) => [r.message_id, r.thread_id])),
    bySubject: new Map(recent.map((r) => [r.subject_key, r.thread_id])),
  });
}

/** Renames the conversations a batch tied together (ThreadPlan.merges), in emails and in the outbox alike. */
export async function applyThreadMerges(tx: Tx, mailboxId: string, merges: ThreadPlan["merges"]): Promise<void> {
  for (const { from, to } of merges) {
    await tx.execute(sql`update emails set thread_id = ${to} where mailbox_id = ${mailboxId} and thread_id = ${from}`);
    await tx.execute(sql`update outbox set thread_id = ${to} where mailbox_id = ${mailboxId} and thread_id = ${from}`);
  }
}

/**
 * Threads messages already inserted into a mailbox (planBatchThreads, then the merges,
 * then each message's thread id and method). Threads are per mailbox: the same message
 * in two mailboxes is threaded in each.
 */
export async function assignThreads(tx: Tx, mailboxId: string, batch: ThreadCandidate[]): Promise<void> {
  if (batch.length === 0) return;
  const plan = await planBatchThreads(tx, mailboxId, batch);
  await applyThreadMerges(tx, mailboxId, plan.merges);
  const ids = `{${plan.assigned.map((a) => a.id).join(",")}}`;
  const threads = `{${plan.assigned.map((a) => a.threadId).join(",")}}`;
  const methods = `{${plan.assigned.map((a) => a.method).join(",")}}`;
  await tx.execute(sql`
    update emails e set thread_id = v.thread_id, thread_method = v.method
      from (select unnest(${ids}::bigint[]) as id, unnest(${threads}::uuid[]) as thread_id, unnest(${methods}::text[]) as method) v
     where e.id = v.id`);
}
