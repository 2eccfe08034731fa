import { asc, inArray } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { loadOrgSettings } from "../settings/load-org-settings";
import type { DeliveryMethod } from "./mailbox-view";

export type SettingChange<T> = { from: T; to: T; changes: boolean };

export type DefaultSettingsPreview = {
  defaultProfile: { id: string; name: string };
  mailboxes: {
    id: string;
    name: string;
    emailAddress: string;
    profile: SettingChange<string | null>;
    incomingDelivery: SettingChange<DeliveryMethod>;
    outgoingDelivery: SettingChange<DeliveryMethod>;
    actDelivery: SettingChange<DeliveryMethod>;
    /** True when anything changes for this mailbox. */
    changes: boolean;
  }[];
};

/**
 * What "apply default email settings" would change on the selected mailboxes
 * (mailbox:write): the org's default profile (names shown) and its incoming,
 * outgoing and ACT delivery methods, before → after. Refuses when the
 * organisation has no default profile, saying where to set one.
 */
export async function previewDefaultSettings(db: DbOrTx, actor: Actor | null, input: { ids: string[] }): Promise<DefaultSettingsPreview> {
  assertCan(actor, "mailbox:write");
  const ids = [...new Set(input.ids.filter(isUuid))];
  if (ids.length === 0) throw new AppError("invalid", msg("error.mailbox.selectOne"));
  const settings = await loadOrgSettings(db);
  if (!settings.defaultProfileId || !settings.defaultProfileName) {
    throw new AppError("invalid", msg("error.mailbox.noDefaultProfile"));
  }
  const rows = await db
    .select({ id: mailboxes.id, name: mailboxes.name, emailAddress: mailboxes.emailAddress, profileId: mailboxes.profileId, incomingDelivery: mailboxes.incomingDelivery, outgoingDelivery: mailboxes.outgoingDelivery, actDelivery: mailboxes.actDelivery })
    .from(mailboxes)
    .where(inArray(mailboxes.id, ids))
    .orderBy(asc(mailboxes.name));
  if (rows.length !== ids.length) throw new AppError("not_found", msg("error.mailbox.someGone"));
  const profileIds = [...new Set(rows.map((r) => r.profileId).filter((id): id is string => !!id))];
  const names = new Map((profileIds.length ? await db.select({ id: profiles.id, name: profiles.name }).from(profiles).where(inArray(profiles.id, profileIds)) : []).map((p) => [p.id, p.name]));
  const change = <T>(from: T, to: T): SettingChange<T> => ({ from, to, changes: from !== to });
  return {
    defaultProfile: { id: settings.defaultProfileId, name: settings.defaultProfileName },
    mailboxes: rows.map((r) => {
      const m = {
        id: r.id,
        name: r.name,
        emailAddress: r.emailAddress,
        profile: change(r.profileId ? (names.get(r.profileId) ?? null) : null, settings.defaultProfileName),
        incomingDelivery: change(r.incomingDelivery, settings.incomingDelivery),
        outgoingDelivery: change(r.outgoingDelivery, settings.outgoingDelivery),
        actDelivery: change(r.actDelivery, settings.actDelivery),
      };
      // Compare the profile by id: two profiles could never share a name, but be exact anyway.
      m.profile.changes = r.profileId !== settings.defaultProfileId;
      return { ...m, changes: m.profile.changes || m.incomingDelivery.changes || m.outgoingDelivery.changes || m.actDelivery.changes };
    }),
  };
}
