import Link from "next/link";
import { listProfiles } from "@/lib/profiles/list-profiles";
import { isUuid } from "@/lib/is-uuid";
import { getDb } from "@/lib/server/db";
import { getLocale, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { EditSeveralForm } from "./edit-several-form";

export default async function EditSeveralPage({ searchParams }: { searchParams: Promise<{ ids?: string | string[] }> }) {
  const actor = await requireActor("mailbox:write");
  const [t, locale, sp] = await Promise.all([getT(), getLocale(), searchParams]);
  const ids = [...new Set([sp.ids ?? []].flat().filter(isUuid))].slice(0, 500);
  const db = getDb();
  const profiles = (await listProfiles(db, actor, { pageSize: 100 })).items.map((p) => ({ id: p.id, name: p.name }));
  return (
    <section className="flex flex-col gap-4">
      <Link href="/mailboxes" className="text-sm text-blue-700 hover:underline">{t("mailboxes.backToList")}</Link>
      <h1 className="text-2xl font-semibold">{t("mailboxes.editSeveral", { count: ids.length })}</h1>
      {ids.length === 0 ? (
        <p className="text-sm text-slate-700">{t("mailboxes.selectFirst")}</p>
      ) : (
        <>
          <p className="text-sm text-slate-600">{t("mailboxes.editSeveralIntro")}</p>
          <EditSeveralForm ids={ids} profiles={profiles} locale={locale} />
        </>
      )}
    </section>
  );
}
