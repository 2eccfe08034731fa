"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { enqueueTestAllJob } from "@/lib/jobs/enqueue-test-all-job";
import { createProfile } from "@/lib/profiles/create-profile";
import { deleteProfile } from "@/lib/profiles/delete-profile";
import { updateProfile } from "@/lib/profiles/update-profile";
import { runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { isSecureChannel } from "@/lib/server/secure-channel";

// Thin: the domain functions check profile:write and validate. runAction leaves the
// password fields out of the echoed values, so no result carries a password back.

/** Creates a profile (admins only), then opens it. */
export async function createProfileAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  let id: string | undefined;
  const state = await runAction(formData, async (actor) => {
    id = (await createProfile(getDb(), actor, { values: formData, secureChannel: await isSecureChannel() })).id;
  });
  if (state.ok && id) {
    revalidatePath("/profiles");
    redirect(`/profiles/${id}`);
  }
  return state;
}

/** Saves an edited profile (admins only); a blank password keeps the stored one. */
export async function updateProfileAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const id = text(formData, "id");
  const state = await runAction(formData, async (actor) => {
    await updateProfile(getDb(), actor, { id, values: formData, secureChannel: await isSecureChannel() });
  });
  if (state.ok) {
    revalidatePath("/profiles");
    redirect(`/profiles/${id}`);
  }
  return state;
}

/** Deletes a profile (admins only); refused with the domain's message while mailboxes use it. */
export async function deleteProfileAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction(formData, async (actor) => {
    await deleteProfile(getDb(), actor, { id: text(formData, "id") });
  });
  if (state.ok) {
    revalidatePath("/profiles");
    redirect("/profiles");
  }
  return state;
}

/** "Test & enable all mailboxes of this profile" (mailbox:test, checked in enqueueTestAllJob): queues the background job. */
export async function testAllMailboxesAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const profileId = text(formData, "profileId");
  const state = await runAction(formData, async (actor) => {
    const { total } = await enqueueTestAllJob(getDb(), actor, { profileId });
    return (await getT())("profiles.testAll.queued", { total });
  });
  // The page then shows the new job's progress (findLatestProfileJob).
  if (state.ok) revalidatePath(`/profiles/${profileId}`);
  return state;
}
