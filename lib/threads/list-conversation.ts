import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emails } from "../../db/schema/emails";
import { outbox } from "../../db/schema/outbox";

/** One message of a conversation: stored (received) or written in the app (sent). */
export type ConversationItem =
  | { kind: "received"; id: number; from: string; subject: string; at: Date; method: string | null; autoKind: string | null }
  | { kind: "sent"; id: number; to: string; subject: string; at: Date; status: string };

/** At most this many messages of a conversation are listed on a message page. */
const MAX_ITEMS = 200;

/**
 * The other messages of a stored message's conversation in its mailbox, oldest
 * first: the stored ones (with how each was threaded) and the replies written in
 * the app. The caller has already checked that the actor may read the mailbox
 * (getEmail), which is the only thing this trusts.
 */
export async function listConversation(db: Db, input: { mailboxId: string; threadId: string | null; exceptEmailId: number }): Promise<ConversationItem[]> {
  if (!input.threadId) return [];
  const [received, sent] = await Promise.all([
    db
      .select({ id: emails.id, fromAddress: emails.fromAddress, fromName: emails.fromName, subject: emails.subject, storedAt: emails.storedAt, sentAt: emails.sentAt, method: emails.threadMethod, autoKind: emails.autoKind })
      .from(emails)
      .where(and(eq(emails.mailboxId, input.mailboxId), eq(emails.threadId, input.threadId), ne(emails.id, input.exceptEmailId)))
      .orderBy(asc(emails.storedAt), asc(emails.id))
      .limit(MAX_ITEMS),
    db
      .select({ id: outbox.id, toList: outbox.toList, subject: outbox.subject, createdAt: outbox.createdAt, sentAt: outbox.sentAt, status: outbox.status })
      .from(outbox)
      .where(and(eq(outbox.mailboxId, input.mailboxId), eq(outbox.threadId, input.threadId)))
      .orderBy(asc(outbox.createdAt))
      .limit(MAX_ITEMS),
  ]);
  const items: ConversationItem[] = [
    ...received.map((r) => ({ kind: "received" as const, id: r.id, from: r.fromName || r.fromAddress, subject: r.subject, at: r.sentAt ?? r.storedAt, method: r.method, autoKind: r.autoKind })),
    ...sent.map((s) => ({ kind: "sent" as const, id: s.id, to: s.toList.map((a) => a.address).join(", "), subject: s.subject, at: s.sentAt ?? s.createdAt, status: s.status })),
  ];
  return items.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, MAX_ITEMS);
}
