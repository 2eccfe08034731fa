"use server";
import { revalidatePath } from "next/cache";
import { updateOrgSettings } from "@/lib/settings/update-org-settings";
import { runAction } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";

/** Saves the organisation's email settings (admins only; updateOrgSettings checks settings:write and the ACT rule). */
export async function updateSettingsAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction(formData, async (actor) => {
    await updateOrgSettings(getDb(), actor, { values: formData });
    return (await getT())("settings.saved");
  }, { labels: ["settings.field"] });
  if (state.ok) {
    revalidatePath("/settings");
    revalidatePath("/profiles");
  }
  return state;
}
