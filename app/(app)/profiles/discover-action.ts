"use server";
import { discoverSettings, type DiscoveryResult } from "@/lib/discovery/discover-settings";
import { discoveryDepsFromEnv } from "@/lib/discovery/discovery-deps";
import { runAction } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";

export type DiscoverState = ActionState & { result?: DiscoveryResult };

/** "Find settings" on the profile form: admins only (profile:write, checked in discoverSettings). Proposes; saves nothing. */
export async function discoverSettingsAction(_prev: DiscoverState, formData: FormData): Promise<DiscoverState> {
  const email = formData.get("discoverEmail");
  let result: DiscoveryResult | undefined;
  const state = await runAction(formData, async (actor) => {
    result = await discoverSettings(actor, { email: typeof email === "string" ? email : "" }, discoveryDepsFromEnv());
  });
  return { ...state, result };
}
