import type { ReactNode } from "react";
import { LocaleSwitch } from "@/components/shell/locale-switch";
import { Nav } from "@/components/shell/nav";
import { countUnreadAlerts } from "@/lib/alerts/count-unread-alerts";
import { getDb } from "@/lib/server/db";
import { getLocale, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { signOutAction } from "./sign-out-action";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  const [t, locale, unreadAlerts] = await Promise.all([getT(), getLocale(), countUnreadAlerts(getDb(), actor)]);
  return (
    <div className="min-h-screen">
      <header className="bg-slate-800 text-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-4 px-4 py-2">
          <div className="flex items-center gap-6">
            <span className="font-semibold">{t("app.name")}</span>
            <Nav actor={actor} t={t} badges={{ "/alerts": unreadAlerts }} />
          </div>
          <div className="flex items-center gap-3 text-sm">
            <LocaleSwitch locale={locale} label={t("nav.language")} />
            <span className="text-slate-300" data-testid="signed-in-as">{t("nav.signedInAs", { name: actor.name })}</span>
            <form action={signOutAction}>
              <button type="submit" className="rounded px-2 py-1 hover:bg-slate-700">{t("nav.signOut")}</button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
