"use server";
import { revalidatePath } from "next/cache";
import { createIngestToken } from "@/lib/ingest/create-ingest-token";
import { revokeIngestToken } from "@/lib/ingest/revoke-ingest-token";
import { runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";

/** Creates or replaces the mailbox's ingest token (mailbox:write, checked in createIngestToken); the state carries it, shown once. */
export async function createIngestTokenAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const mailboxId = text(formData, "mailboxId");
  const state = await runAction(null, (actor) => createIngestToken(getDb(), actor, { mailboxId }));
  if (state.ok) revalidatePath(`/mailboxes/${mailboxId}`);
  return state;
}

/** Revokes the mailbox's ingest token (mailbox:write, checked in revokeIngestToken). */
export async function revokeIngestTokenAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const mailboxId = text(formData, "mailboxId");
  const t = await getT();
  const state = await runAction(null, async (actor) => {
    await revokeIngestToken(getDb(), actor, { mailboxId });
    return t("ingest.revoked");
  });
  if (state.ok) revalidatePath(`/mailboxes/${mailboxId}`);
  return state;
}
