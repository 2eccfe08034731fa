import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emails } from "../../db/schema/emails";

/**
 * The new value of emails.folders (alias-free, inside an UPDATE of emails) with `path`
 * added once. A row stored before the mailbox synced folders has none listed: if it came
 * from INBOX (source key imap:…) it starts from {INBOX}.
 */
export function foldersWith(path: string): SQL {
  return sql`(select case when ${path}::text = any(b) then b else array_append(b, ${path}::text) end
              from (select coalesce(emails.folders, case when emails.source_key like 'imap:%' then array['INBOX']::text[] else array[]::text[] end) as b) f)`;
}

/** A folder's candidate as its metadata FETCH saw it: UID, RFC822.SIZE and the ENVELOPE's Message-ID. */
export type FolderCandidate = { uid: number; size: number; messageId?: string | null };

/**
 * Copies of messages the mailbox has stored already, found without downloading them: a
 * candidate whose Message-ID and size (the server's RFC822.SIZE, as stored in size_bytes)
 * match a stored row of the mailbox gets `path` added to that row's folders (idempotent).
 * Returns the candidates still to download (no Message-ID, or no match); those are matched
 * again by Message-ID + content hash when stored (storeMessageBatch's `folder`).
 */
export async function linkKnownCopies<C extends FolderCandidate>(db: Db, mailboxId: string, path: string, candidates: C[]): Promise<C[]> {
  const withId = candidates.filter((c) => c.messageId);
  if (withId.length === 0) return candidates;
  const ids = [...new Set(withId.map((c) => c.messageId!))];
  const found = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db
      .select({ id: emails.id, messageId: emails.messageId, size: emails.sizeBytes })
      .from(emails)
      .where(and(eq(emails.mailboxId, mailboxId), inArray(emails.messageId, ids.slice(i, i + 5000))))
      .orderBy(emails.id);
    for (const r of rows) {
      const key = `${r.messageId}\u0000${r.size}`;
      if (!found.has(key)) found.set(key, r.id);
    }
  }
  const linked: number[] = [];
  const rest: C[] = [];
  for (const c of candidates) {
    const id = c.messageId ? found.get(`${c.messageId}\u0000${c.size}`) : undefined;
    if (id === undefined) rest.push(c);
    else linked.push(id);
  }
  for (let i = 0; i < linked.length; i += 5000) {
    const chunk = linked.slice(i, i + 5000);
    await db
      .update(emails)
      .set({ folders: foldersWith(path) })
      .where(and(inArray(emails.id, chunk), sql`not (${path}::text = any(coalesce(${emails.folders}, array[]::text[])))`));
  }
  return rest;
}
