"use server";
import { revalidatePath } from "next/cache";
import { markAlertsRead } from "@/lib/alerts/mark-alerts-read";
import { runAction, text } from "@/lib/server/action";
import { getDb } from "@/lib/server/db";

/**
 * Mark read: alerts by "id" (one, or every copy of a wall entry), every alert of a mailbox's wall ("mailboxId"), or
 * all the actor's ("all" = "mine", or "all" for admins). Checked in markAlertsRead:
 * people mark only alerts sent to them.
 */
export async function markAlertsReadAction(fd: FormData): Promise<void> {
  // A wall entry marks every copy of its event (one per recipient).
  const ids = fd.getAll("id").filter((v): v is string => typeof v === "string" && v !== "");
  const mailboxId = text(fd, "mailboxId");
  const all = text(fd, "all") === "all" ? "all" : "mine";
  await runAction(fd, async (actor) => {
    await markAlertsRead(getDb(), actor, ids.length ? { ids } : mailboxId ? { mailboxId } : { all });
  });
  // The navigation's unread badge is in the layout.
  revalidatePath("/", "layout");
}
