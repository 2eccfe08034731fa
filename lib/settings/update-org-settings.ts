import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { profiles } from "../../db/schema/profiles";
import { orgSettings } from "../../db/schema/settings";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { writeDefaultProfile } from "../profiles/write-default-profile";
import { actSyncRefusal } from "./act-sync-refusal";
import { loadOrgSettings } from "./load-org-settings";
import { parseOrgSettingsInput } from "./org-settings-input";
import type { OrgSettingsView } from "./org-settings-view";
import type { ServerType } from "../profiles/fill-profile-defaults";
import { msg, type Message } from "../i18n/message";

/**
 * Saves the organisation's email settings (settings:write): the default profile
 * (stored as that profile's is_default, one truth with the profile form), the
 * delivery methods and "process email only for approved users and queues".
 * Refuses server-side sync for appointments, contacts and tasks with a Gmail or
 * POP3/SMTP profile. Existing mailboxes are not changed: "apply default email
 * settings" on the mailboxes does that.
 */
export async function updateOrgSettings(db: Db, actor: Actor | null, input: { values: FormData | Record<string, unknown> }): Promise<OrgSettingsView> {
  assertCan(actor, "settings:write");
  const s = parseOrgSettingsInput(input.values);
  return db.transaction(async (tx) => {
    let profile: { name: string; serverType: ServerType } | null = null;
    if (s.defaultProfileId) {
      // Locked so the profile cannot change type or vanish between this check and the commit.
      [profile] = await tx
        .select({ name: profiles.name, serverType: profiles.serverType })
        .from(profiles)
        .where(eq(profiles.id, s.defaultProfileId))
        .for("update");
      if (!profile) invalid({ defaultProfileId: [msg("error.settings.profileGone")] });
    }
    if (s.actDelivery === "server_side_sync") {
      invalid({ actDelivery: [actSyncRefusal(profile?.serverType ?? null, profile?.name)!] });
    }
    await writeDefaultProfile(tx, s.defaultProfileId);
    const values = {
      incomingDelivery: s.incomingDelivery,
      outgoingDelivery: s.outgoingDelivery,
      actDelivery: s.actDelivery,
      processOnlyApproved: s.processOnlyApproved,
      threadBySubject: s.threadBySubject,
      updatedAt: new Date(),
    };
    await tx.insert(orgSettings).values({ id: 1, ...values }).onConflictDoUpdate({ target: orgSettings.id, set: values });
    return loadOrgSettings(tx);
  });
}

function invalid(fieldErrors: Record<string, Message[]>): never {
  throw new AppError("invalid", msg("error.settings.notSaved"), { fieldErrors });
}
