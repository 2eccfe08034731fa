import { eq } from "drizzle-orm";
import { profiles } from "../../db/schema/profiles";
import { orgSettings } from "../../db/schema/settings";
import type { DbOrTx } from "../../db/client";
import type { OrgSettingsView } from "./org-settings-view";

/**
 * The organisation's email settings, creating the single row with its defaults
 * when it is missing. No privilege check, on purpose: the worker (processOnlyApproved)
 * and "apply default email settings" (mailbox:write, not settings:read) need it.
 * Pages showing the settings use getOrgSettings, which checks.
 */
export async function loadOrgSettings(db: DbOrTx): Promise<OrgSettingsView> {
  let [row] = await db.select().from(orgSettings).where(eq(orgSettings.id, 1));
  if (!row) {
    await db.insert(orgSettings).values({ id: 1 }).onConflictDoNothing();
    [row] = await db.select().from(orgSettings).where(eq(orgSettings.id, 1));
  }
  const [profile] = await db
    .select({ id: profiles.id, name: profiles.name, serverType: profiles.serverType })
    .from(profiles)
    .where(eq(profiles.isDefault, true));
  return {
    defaultProfileId: profile?.id ?? null,
    defaultProfileName: profile?.name ?? null,
    defaultProfileServerType: profile?.serverType ?? null,
    incomingDelivery: row.incomingDelivery,
    outgoingDelivery: row.outgoingDelivery,
    actDelivery: row.actDelivery,
    processOnlyApproved: row.processOnlyApproved,
    threadBySubject: row.threadBySubject,
    updatedAt: row.updatedAt,
  };
}
