"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { queueEmail } from "@/lib/outbox/queue-email";
import { checkbox, runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";

/** Queues the email (who may send, validation and the Message-ID are decided in queueEmail) and opens the Sent view. */
export async function sendEmailAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const mailboxId = text(formData, "mailboxId");
  const state = await runAction(formData, async (actor) => {
    const files = formData.getAll("attachments").filter((f): f is File => typeof f !== "string" && f.size > 0);
    const attachments = await Promise.all(files.map(async (f) => ({ filename: f.name, contentType: f.type, content: Buffer.from(await f.arrayBuffer()) })));
    const forward = text(formData, "forward");
    await queueEmail(getDb(), actor, {
      mailboxId,
      to: text(formData, "to"),
      cc: text(formData, "cc"),
      bcc: text(formData, "bcc"),
      subject: text(formData, "subject"),
      body: text(formData, "body"),
      attachments,
      replyToEmailId: text(formData, "replyTo") || undefined,
      forwardEmailId: forward || undefined,
      forwardAttachments: forward ? formData.getAll("forwardAttachments").map((v) => Number(v)).filter(Number.isInteger) : undefined,
      sendDespiteBounces: checkbox(formData, "sendAnyway"),
    });
  });
  if (state.ok) {
    revalidatePath(`/sent/${mailboxId}`);
    redirect(`/sent/${mailboxId}?queued=1`);
  }
  return state;
}
