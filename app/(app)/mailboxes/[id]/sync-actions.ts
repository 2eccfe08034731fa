"use server";
import { revalidatePath } from "next/cache";
import { requestSyncNow } from "@/lib/sync/request-sync-now";
import { runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";

/** "Sync now": makes the mailbox due at once (owner or mailbox:write; checked in requestSyncNow). */
export async function syncNowAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const mailboxId = text(formData, "mailboxId");
  const t = await getT();
  const state = await runAction(formData, async (actor) => {
    const { nextSyncAt, deferred } = await requestSyncNow(getDb(), actor, { mailboxId });
    return deferred ? t("sync.deferred", { seconds: Math.max(1, Math.ceil((nextSyncAt.getTime() - Date.now()) / 1000)) }) : t("sync.requested");
  });
  if (state.ok) revalidatePath(`/mailboxes/${mailboxId}`);
  return state;
}
