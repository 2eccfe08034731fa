import { listOwnerChoices } from "@/lib/mailboxes/list-owner-choices";
import { getDb } from "@/lib/server/db";
import { getLocale, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { createQueueAction } from "../actions";
import { MailboxForm } from "../mailbox-form";

export default async function NewQueuePage() {
  const actor = await requireActor("queue:create");
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  const owners = await listOwnerChoices(getDb(), actor);
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">{t("mailboxes.newQueueTitle")}</h1>
      <p className="text-sm text-slate-600">{t("mailboxes.newQueueIntro")}</p>
      <MailboxForm
        action={createQueueAction}
        locale={locale}
        owners={owners}
        profiles={[]}
        creating
        initial={{ kind: "queue", name: "", emailAddress: "", ownerId: "", profileId: "", incomingDelivery: "none", outgoingDelivery: "none", actDelivery: "none" }}
      />
    </section>
  );
}
