import type { Db } from "../../db/client";
import { assertCan, type Actor } from "../auth/actor";
import { loadOrgSettings } from "./load-org-settings";
import type { OrgSettingsView } from "./org-settings-view";

/** The organisation's email settings for the settings page (settings:read), created with defaults on first use. */
export async function getOrgSettings(db: Db, actor: Actor | null): Promise<OrgSettingsView> {
  assertCan(actor, "settings:read");
  return loadOrgSettings(db);
}
