"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { reparseEmail } from "@/lib/emails/reparse-email";
import { runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";

/** "Parse again" on a quarantined message (whoever may read the mailbox; checked in reparseEmail). */
export async function reparseEmailAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const mailboxId = text(formData, "mailboxId");
  const emailId = text(formData, "emailId");
  const t = await getT();
  let parsed = false;
  const state = await runAction(formData, async (actor) => {
    const outcome = await reparseEmail(getDb(), actor, { mailboxId, emailId });
    if (outcome.status === "parsed") {
      parsed = true;
      return t("quarantine.reparse.parsed");
    }
    if (outcome.status === "already_parsed") return t("quarantine.reparse.alreadyParsed");
    return t("quarantine.reparse.stillFailing", { reason: outcome.reason });
  });
  if (state.ok) {
    revalidatePath(`/mail/${mailboxId}/quarantine`);
    revalidatePath(`/mail/${mailboxId}`);
  }
  // The row leaves the list, so the page itself says what happened, with a link to the message.
  if (parsed) redirect(`/mail/${mailboxId}/quarantine?parsed=${encodeURIComponent(emailId)}`);
  return state;
}
