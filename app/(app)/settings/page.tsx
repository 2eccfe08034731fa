import { actSyncRefusal } from "@/lib/settings/act-sync-refusal";
import { deliveryMethods } from "@/lib/settings/org-settings-view";
import { getOrgSettings } from "@/lib/settings/get-org-settings";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { updateSettingsAction } from "./actions";
import { loadProfileOptions } from "./load-profile-options";
import { SettingsForm } from "./settings-form";
import type { ServerType } from "@/lib/profiles/fill-profile-defaults";
import { renderMessage } from "@/lib/i18n/message";

const fields = ["defaultProfileId", "incomingDelivery", "outgoingDelivery", "actDelivery", "processOnlyApproved", "threadBySubject"] as const;

export default async function SettingsPage() {
  const actor = await requireActor("settings:write");
  const t = await getT();
  const [settings, profiles] = await Promise.all([getOrgSettings(getDb(), actor), loadProfileOptions(getDb(), actor)]);
  // Why ACT by server-side sync is refused, per default profile choice: the same message the server gives.
  const refusal = (p: { serverType: ServerType; name: string } | null) => renderMessage(t, actSyncRefusal(p?.serverType ?? null, p?.name)!);
  const actRefusals: Record<string, string> = { "": refusal(null) };
  for (const p of profiles) actRefusals[p.id] = refusal(p);

  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">{t("settings.title")}</h1>
      <SettingsForm
        action={updateSettingsAction}
        initial={{
          defaultProfileId: settings.defaultProfileId ?? "",
          incomingDelivery: settings.incomingDelivery,
          outgoingDelivery: settings.outgoingDelivery,
          actDelivery: settings.actDelivery,
          processOnlyApproved: settings.processOnlyApproved,
          threadBySubject: settings.threadBySubject,
        }}
        profiles={profiles}
        actRefusals={actRefusals}
        text={{
          labels: Object.fromEntries(fields.map((f) => [f, t(`settings.field.${f}`)])) as Record<(typeof fields)[number], string>,
          help: Object.fromEntries(fields.map((f) => [f, t(`settings.help.${f}`)])) as Record<(typeof fields)[number], string>,
          delivery: Object.fromEntries(deliveryMethods.map((m) => [m, t(`settings.delivery.${m}`)])) as Record<(typeof deliveryMethods)[number], string>,
          noProfile: t("settings.profile.none"),
          syncMethods: t("settings.syncMethods"),
          submit: t("common.save"),
          fixFields: t("common.fixFields"),
        }}
      />
    </section>
  );
}
