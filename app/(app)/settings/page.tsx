import { EmptyState } from "@/components/empty-state";
import { getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";

export default async function Page() {
  await requireActor("settings:read");
  const t = await getT();
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">{t("nav.settings")}</h1>
      <EmptyState message={t("empty.settings")} />
    </section>
  );
}
