import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxFolders } from "../../db/schema/mailboxes";

/** A chosen folder as the mailbox page shows it: its path, the last sync's error code (folder_missing) and when it last synced. */
export type MailboxFolderState = { path: string; errorCode: string | null; lastSyncAt: Date | null };

/**
 * The sync state of each folder a mailbox syncs besides INBOX, in the chosen order; a folder
 * not synced yet has no error and no date. For a page that has checked access (getMailbox).
 */
export async function listMailboxFolders(db: Db, mailbox: { id: string; imapFolders: string[] }): Promise<MailboxFolderState[]> {
  if (mailbox.imapFolders.length === 0) return [];
  const rows = await db
    .select({ path: mailboxFolders.path, errorCode: mailboxFolders.errorCode, lastSyncAt: mailboxFolders.lastSyncAt })
    .from(mailboxFolders)
    .where(eq(mailboxFolders.mailboxId, mailbox.id));
  const byPath = new Map(rows.map((r) => [r.path, r]));
  return mailbox.imapFolders.map((path) => byPath.get(path) ?? { path, errorCode: null, lastSyncAt: null });
}
