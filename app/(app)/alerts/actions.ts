"use server";
import { revalidatePath } from "next/cache";
import { markAlertsRead } from "@/lib/alerts/mark-alerts-read";
import { runAction, text } from "@/lib/server/action";
import { getDb } from "@/lib/server/db";

/**
 * Mark read: one alert ("id"), every alert of a mailbox's wall ("mailboxId"), or
 * all the actor's ("all" = "mine", or "all" for admins). Checked in markAlertsRead:
 * people mark only alerts sent to them.
 */
export async function markAlertsReadAction(fd: FormData): Promise<void> {
  const id = text(fd, "id");
  const mailboxId = text(fd, "mailboxId");
  const all = text(fd, "all") === "all" ? "all" : "mine";
  await runAction(fd, async (actor) => {
    await markAlertsRead(getDb(), actor, id ? { ids: [id] } : mailboxId ? { mailboxId } : { all });
  });
  // The navigation's unread badge is in the layout.
  revalidatePath("/", "layout");
}
