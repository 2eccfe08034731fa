"use server";
import { revalidatePath } from "next/cache";
import { listServerFolders, type ServerFolder } from "@/lib/mailboxes/list-server-folders";
import { setMailboxFolders } from "@/lib/mailboxes/set-mailbox-folders";
import { runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";

export type FolderListState = ActionState & { folders?: ServerFolder[] };

/** Lists the IMAP server's folders with the mailbox's sealed credentials (mailbox:write, checked in listServerFolders). */
export async function listServerFoldersAction(_prev: FolderListState, formData: FormData): Promise<FolderListState> {
  const mailboxId = text(formData, "mailboxId");
  let folders: ServerFolder[] | undefined;
  const state = await runAction(null, async (actor) => {
    folders = await listServerFolders(getDb(), actor, { mailboxId });
  });
  return { ...state, folders };
}

/** Saves the folders synced besides INBOX (mailbox:write, checked in setMailboxFolders). */
export async function saveFoldersAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const mailboxId = text(formData, "mailboxId");
  const folders = formData.getAll("folders").filter((f): f is string => typeof f === "string");
  const t = await getT();
  const state = await runAction(
    null,
    async (actor) => {
      await setMailboxFolders(getDb(), actor, { mailboxId, folders });
      return t("mailboxes.folders.saved", { count: new Set(folders).size });
    },
    { labels: ["mailboxes.field"] },
  );
  if (state.ok) revalidatePath(`/mailboxes/${mailboxId}`);
  return state;
}
