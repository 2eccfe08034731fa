"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { disconnectMailbox } from "@/lib/oauth/disconnect-mailbox";
import { outcomeQuery, type SignInOutcome } from "@/lib/oauth/sign-in-outcome";
import { runAction, text } from "@/lib/server/action";
import { getDb } from "@/lib/server/db";

/** "Disconnect": revokes and deletes the mailbox's OAuth tokens (owner or mailbox:write, checked in disconnectMailbox). */
export async function disconnectOAuthAction(formData: FormData): Promise<void> {
  const mailboxId = text(formData, "mailboxId");
  let outcome: SignInOutcome | undefined;
  const state = await runAction(formData, async (actor) => {
    outcome = await disconnectMailbox(getDb(), actor, { mailboxId });
  });
  revalidatePath(`/mailboxes/${mailboxId}`);
  if (state.ok && outcome) redirect(`/mailboxes/${encodeURIComponent(mailboxId)}?${outcomeQuery(outcome)}`);
  redirect("/mailboxes");
}
