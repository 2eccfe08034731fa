import { getLocale, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { createQueueAction } from "../actions";
import { MailboxForm } from "../mailbox-form";

export default async function NewQueuePage() {
  await requireActor("queue:create");
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">{t("mailboxes.newQueueTitle")}</h1>
      <p className="text-sm text-slate-600">{t("mailboxes.newQueueIntro")}</p>
      <MailboxForm
        action={createQueueAction}
        locale={locale}
        owner={null}
        profile={null}
        creating
        initial={{ kind: "queue", name: "", emailAddress: "", ownerId: "", profileId: "", incomingDelivery: "none", outgoingDelivery: "none", actDelivery: "none" }}
      />
    </section>
  );
}
