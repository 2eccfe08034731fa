import type { ReactNode } from "react";
import { getLocale, getT } from "@/lib/server/locale";
import { LocaleSwitch } from "./locale-switch";

/** The frame of the pages a signed-out visitor sees (setup, sign-in). */
export async function PublicFrame({ title, children }: { title: string; children: ReactNode }) {
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  return (
    <div className="min-h-screen">
      <header className="bg-slate-800 text-white">
        <div className="mx-auto flex max-w-md items-center justify-between px-4 py-2">
          <span className="font-semibold">{t("app.name")}</span>
          <LocaleSwitch locale={locale} label={t("nav.language")} />
        </div>
      </header>
      <main className="mx-auto max-w-md px-4 py-10">
        <h1 className="mb-6 text-2xl font-semibold">{title}</h1>
        {children}
      </main>
    </div>
  );
}
