import Link from "next/link";
import { getT } from "@/lib/server/locale";

export default async function Forbidden() {
  const t = await getT();
  return (
    <section className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="mb-2 text-2xl font-semibold" data-testid="forbidden">{t("forbidden.title")}</h1>
      <p className="mb-6 text-slate-600">{t("forbidden.body")}</p>
      <Link href="/mailboxes" className="text-blue-700 hover:underline">{t("nav.mailboxes")}</Link>
    </section>
  );
}
