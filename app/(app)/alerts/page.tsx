import Link from "next/link";
import { Pager } from "@/components/pager";
import { listAlerts } from "@/lib/alerts/list-alerts";
import { can } from "@/lib/auth/actor";
import { getDb } from "@/lib/server/db";
import { getLocale, getT, getTimeZone } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { markAlertsReadAction } from "./actions";
import { AlertList } from "./alert-list";

type Search = { scope?: string; unread?: string; page?: string };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor("alert:read-own");
  const [t, locale, sp, timeZone] = await Promise.all([getT(), getLocale(), searchParams, getTimeZone()]);
  const readAll = can(actor, "alert:read-all");
  const scope = readAll && sp.scope === "all" ? "all" : "mine";
  const unreadOnly = sp.unread === "1";
  const list = await listAlerts(getDb(), actor, { scope, unreadOnly, page: sp.page });
  const href = (over: Search) => {
    const q = new URLSearchParams();
    const merged = { scope: scope === "all" ? "all" : undefined, unread: unreadOnly ? "1" : undefined, ...over };
    for (const [k, v] of Object.entries(merged)) if (v) q.set(k, v);
    const s = q.toString();
    return s ? `/alerts?${s}` : "/alerts";
  };
  const tab = (active: boolean) => `rounded-full border px-3 py-1 ${active ? "border-blue-700 bg-blue-700 text-white" : "border-slate-300 bg-white hover:bg-slate-50"}`;
  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold">{scope === "all" ? t("alerts.all") : t("alerts.mine")}</h1>
        <span className="text-sm text-slate-700" data-testid="unread-count">{t("alerts.unreadCount", { count: list.unread })}</span>
      </div>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        {readAll ? (
          <>
            <Link href={href({ scope: undefined, page: undefined })} className={tab(scope === "mine")} aria-current={scope === "mine" ? "page" : undefined}>{t("alerts.mine")}</Link>
            <Link href={href({ scope: "all", page: undefined })} className={tab(scope === "all")} aria-current={scope === "all" ? "page" : undefined}>{t("alerts.all")}</Link>
          </>
        ) : null}
        <Link href={href({ unread: unreadOnly ? undefined : "1", page: undefined })} className={tab(unreadOnly)}>{t("alerts.unreadOnly")}</Link>
        {list.unread > 0 ? (
          <form action={markAlertsReadAction} className="ml-auto">
            <input type="hidden" name="all" value={scope} />
            <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50">{t("alerts.markAllRead")}</button>
          </form>
        ) : null}
      </div>
      <AlertList items={list.items} t={t} locale={locale} timeZone={timeZone} showRecipient={scope === "all"} />
      <Pager page={list.page} pageSize={list.pageSize} total={list.total} href={(p) => href({ page: String(p) })} t={t} />
    </section>
  );
}
