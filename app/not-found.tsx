import { getT } from "@/lib/server/locale";

export default async function NotFound() {
  const t = await getT();
  return (
    <section className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="mb-2 text-2xl font-semibold">{t("notFound.title")}</h1>
      <p className="text-slate-600">{t("notFound.body")}</p>
    </section>
  );
}
