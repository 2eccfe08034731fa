import { formatDateTime } from "@/lib/i18n/format";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { Pager } from "@/components/pager";
import { listEmails } from "@/lib/emails/list-emails";
import { getDb } from "@/lib/server/db";
import { getLocale, getTimeZone, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { loadOr404 } from "../load-or-404";
import { MailFlags } from "./mail-flags";

export default async function MailListPage({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string }>;
  searchParams: Promise<{ q?: string; page?: string; before?: string; after?: string; view?: string }>;
}) {
  const actor = await requireActor("mailbox:read-own");
  const [t, locale, { mailboxId }, sp, timeZone] = await Promise.all([getT(), getLocale(), params, searchParams, getTimeZone()]);
  const query = typeof sp.q === "string" ? sp.q : "";
  const threads = sp.view === "threads";
  const list = await loadOr404(listEmails(getDb(), actor, { mailboxId, query, page: sp.page, before: sp.before, after: sp.after, threads }));
  const base = `/mail/${list.mailbox.id}`;
  const viewHref = (view: "messages" | "threads") => {
    const q = new URLSearchParams({ ...(list.query ? { q: list.query } : {}), ...(view === "threads" ? { view } : {}) }).toString();
    return q ? `${base}?${q}` : base;
  };
  const href = (page: number, cursor: { before?: number; after?: number } = {}) => {
    const q = new URLSearchParams({ ...(list.query ? { q: list.query } : {}), ...(threads ? { view: "threads" } : {}), ...(page > 1 ? { page: String(page) } : {}) });
    if (page > 1 && cursor.before) q.set("before", String(cursor.before));
    if (page > 1 && cursor.after) q.set("after", String(cursor.after));
    const s = q.toString();
    return s ? `${base}?${s}` : base;
  };
  return (
    <section>
      <h1 className="mb-1 text-2xl font-semibold">{t("mail.title", { name: list.mailbox.name })}</h1>
      <p className="mb-4 text-sm text-slate-500">
        {list.mailbox.emailAddress}
        <Link href={`${base}/quarantine`} className="ml-4 text-blue-700 hover:underline">{t("quarantine.link")}</Link>
      </p>
      <form method="get" action={base} role="search" className="mb-4 flex flex-wrap items-center gap-2">
        <label htmlFor="mail-search" className="sr-only">{t("mail.search")}</label>
        <input
          id="mail-search"
          name="q"
          type="search"
          defaultValue={list.query}
          maxLength={200}
          placeholder={t("mail.search")}
          className="w-80 rounded border border-slate-300 px-3 py-2 text-sm"
        />
        {threads && <input type="hidden" name="view" value="threads" />}
        <button type="submit" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">{t("mail.searchButton")}</button>
        {list.query && <Link href={base} className="text-sm text-blue-700 hover:underline">{t("mail.clearSearch")}</Link>}
        <nav aria-label={t("mail.view")} className="ml-4 flex overflow-hidden rounded border border-slate-300 text-sm" data-testid="mail-view">
          {(["messages", "threads"] as const).map((view) => (
            <Link
              key={view}
              href={viewHref(view)}
              aria-current={(view === "threads") === threads ? "page" : undefined}
              className={`px-3 py-1.5 ${(view === "threads") === threads ? "bg-slate-700 text-white" : "bg-white text-slate-700 hover:bg-slate-50"}`}
            >
              {t(`mail.view.${view}`)}
            </Link>
          ))}
        </nav>
        <span className="ml-auto text-sm text-slate-500">{t(threads ? "mail.countThreads" : "mail.count", { total: `${list.total.toLocaleString(locale)}${list.totalCapped ? "+" : ""}` })}</span>
      </form>
      {list.rows.length === 0 ? (
        <EmptyState message={list.query ? t("mail.noMatch", { query: list.query }) : t("mail.empty")} />
      ) : (
        <table className="w-full border-collapse bg-white text-sm shadow-sm [&_td]:px-3 [&_td]:py-2 [&_th]:px-3 [&_th]:py-2">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th>{t("mail.from")}</th>
              <th>{t("mail.subject")}</th>
              <th>{t("mail.date")}</th>
            </tr>
          </thead>
          {/* Row links are plain <a> here and in the other lists: next/link is a client component per row to render,
              serialise and hydrate, and it prefetches every row that scrolls into view. */}
          <tbody className="[&>tr]:border-t [&>tr]:border-slate-200">
            {list.rows.map((m) => (
              <tr key={m.id}>
                <td className="max-w-64 truncate" title={m.fromAddress}>{m.fromName || m.fromAddress}</td>
                <td>
                  <a href={`${base}/${m.id}`} className="text-blue-700 hover:underline">{m.subject || t("mail.noSubject")}</a>
                  {m.hasAttachments && <span className="ml-2" title={t("mail.hasAttachments")} aria-label={t("mail.hasAttachments")}>📎</span>}
                  {m.threadCount > 1 && (
                    <span data-testid="thread-count" title={t("mail.threadCount", { count: m.threadCount })} className="ml-2 rounded-full bg-slate-200 px-1.5 text-xs text-slate-700">
                      {m.threadCount}
                    </span>
                  )}
                  <MailFlags unparsed={m.unparsed} oversized={m.oversized} autoKind={m.autoKind} bounced={m.bouncedAddresses} t={t} />
                  {m.folders && m.folders.some((f) => f !== "INBOX") ? (
                    <span data-testid="mail-folders" title={t("mail.folders")} className="ml-2 text-xs text-slate-500">{m.folders.join(" · ")}</span>
                  ) : null}
                </td>
                <td className="whitespace-nowrap">{formatDateTime(m.sentAt ?? m.storedAt, locale, { timeZone })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.totalCapped && !list.threads ? (
        // Beyond the count cap the last page is unknown: "Page 3 of 20+". Previous and next are keyset
        // cursors (the first and last message shown), so a deep page costs what the first one does.
        <nav aria-label="pagination" className="mt-4 flex items-center gap-4 text-sm">
          {list.page > 1 && list.newer ? <Link href={href(list.page - 1, { after: list.newer })} className="text-blue-700 hover:underline">{t("common.previous")}</Link> : <span className="text-slate-400">{t("common.previous")}</span>}
          <span>{t("common.pageOf", { page: list.page, pages: `${Math.max(Math.floor(list.total / list.pageSize), list.page).toLocaleString(locale)}+` })}</span>
          {list.older ? <Link href={href(list.page + 1, { before: list.older })} className="text-blue-700 hover:underline">{t("common.next")}</Link> : <span className="text-slate-400">{t("common.next")}</span>}
        </nav>
      ) : (
        <Pager page={list.page} pageSize={list.pageSize} total={list.total} href={href} t={t} />
      )}
    </section>
  );
}
