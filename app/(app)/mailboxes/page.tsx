import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { inputClass } from "@/components/form/field";
import { Pager } from "@/components/pager";
import { can } from "@/lib/auth/actor";
import { listMailboxes, mailboxFilters, type MailboxSort } from "@/lib/mailboxes/list-mailboxes";
import { getDb } from "@/lib/server/db";
import { getLocale, getT, getTimeZone } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { deliveryLabel, enabledLabel, statusLabel, statusTone, when } from "./mailbox-text";
import { SELECTION_FORM_ID, SelectionForm } from "./selection-form";
import { SearchPicker, type PickerChoice } from "@/components/form/search-picker";
import { getProfile } from "@/lib/profiles/get-profile";
import type { Actor } from "@/lib/auth/actor";
import type { Db } from "@/db/client";
import type { Translate } from "@/lib/i18n/translate";
import { searchProfilesAction } from "../picker-actions";

type Search = { filter?: string; profileId?: string; q?: string; sort?: string; dir?: string; page?: string };

export default async function MailboxesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor("mailbox:read-own");
  const [t, locale, sp, timeZone] = await Promise.all([getT(), getLocale(), searchParams, getTimeZone()]);
  const db = getDb();
  const list = await listMailboxes(db, actor, { filter: sp.filter, profileId: sp.profileId, q: sp.q, sort: sp.sort, direction: sp.dir, page: sp.page });
  // The profile filter is a searchable picker (profiles grow with the organisation): only the chosen one is loaded.
  const canFilterByProfile = can(actor, "profile:read");
  const chosenProfile = canFilterByProfile && list.profileId ? await profileChoice(db, actor, list.profileId, t) : null;
  const allowed = { write: can(actor, "mailbox:write"), test: can(actor, "mailbox:test"), approve: can(actor, "mailbox:approve") };
  const href = (over: Partial<Search>) => {
    const q = new URLSearchParams();
    const merged: Search = { filter: list.filter, profileId: list.profileId ?? undefined, q: list.q || undefined, sort: list.sort, dir: list.direction, page: String(list.page), ...over };
    for (const [k, v] of Object.entries(merged)) if (v && !(k === "filter" && v === "all") && !(k === "page" && v === "1")) q.set(k, v);
    const s = q.toString();
    return s ? `/mailboxes?${s}` : "/mailboxes";
  };
  const sortHeader = (key: MailboxSort, label: string) => {
    const active = list.sort === key;
    const dir = active && list.direction === "asc" ? "desc" : "asc";
    return (
      <th aria-sort={active ? (list.direction === "asc" ? "ascending" : "descending") : undefined}>
        <Link href={href({ sort: key, dir, page: "1" })} className="hover:underline">
          {label}
          {active ? (list.direction === "asc" ? " ▲" : " ▼") : ""}
        </Link>
      </th>
    );
  };
  return (
    <section className="flex flex-col gap-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">{t("mailboxes.title")}</h1>
        {can(actor, "queue:create") ? (
          <Link href="/mailboxes/new" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">{t("mailboxes.newQueue")}</Link>
        ) : null}
      </div>
      <nav aria-label={t("mailboxes.filter.label")} className="flex flex-wrap gap-2 text-sm">
        {mailboxFilters.map((f) => (
          <Link key={f} href={href({ filter: f, page: "1" })} aria-current={list.filter === f ? "page" : undefined} className={`rounded-full border px-3 py-1 ${list.filter === f ? "border-blue-700 bg-blue-700 text-white" : "border-slate-300 bg-white hover:bg-slate-50"}`}>
            {t(`mailboxes.filter.${f}`)}
          </Link>
        ))}
      </nav>
      <form method="get" action="/mailboxes" className="flex flex-wrap items-end gap-2">
        {list.filter !== "all" ? <input type="hidden" name="filter" value={list.filter} /> : null}
        <input type="hidden" name="sort" value={list.sort} />
        <input type="hidden" name="dir" value={list.direction} />
        <label className="flex flex-col text-sm">
          {t("mailboxes.filter.search")}
          <input name="q" defaultValue={list.q} className={inputClass} />
        </label>
        {canFilterByProfile ? (
          <div className="flex w-64 flex-col text-sm">
            <label htmlFor="profileId">{t("mailboxes.filter.profile")}</label>
            <SearchPicker
              name="profileId"
              initial={chosenProfile}
              search={searchProfilesAction}
              placeholder={t("common.picker.searchProfiles")}
              noneLabel={t("mailboxes.filter.anyProfile")}
              fixed={[{ id: "none", label: t("mailboxes.filter.noProfile") }]}
              noMatches={t("common.picker.noMatches")}
            />
          </div>
        ) : null}
        <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50">{t("mailboxes.filter.apply")}</button>
      </form>
      <p className="text-sm text-slate-600">{t("mailboxes.count", { total: list.total })}</p>
      {list.items.length === 0 ? (
        <EmptyState message={t("empty.mailboxes")} />
      ) : (
        <>
          <SelectionForm locale={locale} can={allowed} />
          <div className="overflow-x-auto">
            {/* Cell padding from the table, not on every cell: the markup is sent twice (HTML and RSC data). */}
            <table className="w-full border-collapse bg-white text-sm shadow-sm [&_td]:px-2 [&_td]:py-2 [&_th]:px-2 [&_th]:py-2">
              <thead className="bg-slate-100 text-left">
                <tr>
                  <th><span className="sr-only">{t("mailboxes.select")}</span></th>
                  {sortHeader("name", t("mailboxes.col.name"))}
                  {sortHeader("address", t("mailboxes.col.address"))}
                  {sortHeader("owner", t("mailboxes.col.owner"))}
                  {sortHeader("kind", t("mailboxes.col.kind"))}
                  {sortHeader("profile", t("mailboxes.col.profile"))}
                  <th>{t("mailboxes.col.delivery")}</th>
                  {sortHeader("approved", t("mailboxes.col.approved"))}
                  {sortHeader("incoming", t("mailboxes.col.status"))}
                  <th>{t("mailboxes.col.enabled")}</th>
                  {sortHeader("lastSync", t("mailboxes.col.lastSync"))}
                  {sortHeader("nextSync", t("mailboxes.col.nextSync"))}
                </tr>
              </thead>
              <tbody className="[&_tr]:border-t [&_tr]:border-slate-200 [&_tr]:align-top">
                {list.items.map((m) => (
                  <tr key={m.id} data-mailbox-row={m.emailAddress}>
                    <td>
                      <input type="checkbox" name="ids" value={m.id} form={SELECTION_FORM_ID} aria-label={t("mailboxes.selectMailbox", { name: m.name })} />
                    </td>
                    <td>
                      <a href={`/mailboxes/${m.id}`} className="text-blue-700 hover:underline">{m.name}</a>
                    </td>
                    <td>{m.emailAddress}</td>
                    <td>{m.ownerName ?? t("mailboxes.none")}</td>
                    <td>{t(`mailboxes.kind.${m.kind}`)}</td>
                    <td>{m.profileName ?? t("mailboxes.none")}</td>
                    <td className="text-xs">{`${deliveryLabel(t, m.incomingDelivery)} / ${deliveryLabel(t, m.outgoingDelivery)} / ${deliveryLabel(t, m.actDelivery)}`}</td>
                    <td data-col="approved">{m.approvedAt ? t("mailboxes.approvedYes") : t("mailboxes.approvedNo")}</td>
                    <td className="text-xs" data-col="status">
                      <span className={statusTone[m.incomingStatus]}>{statusLabel(t, m.incomingStatus)}</span> / <span className={statusTone[m.outgoingStatus]}>{statusLabel(t, m.outgoingStatus)}</span> /{" "}
                      <span className={statusTone[m.actStatus]}>{statusLabel(t, m.actStatus)}</span>
                    </td>
                    <td data-col="enabled">{enabledLabel(t, m)}</td>
                    <td className="text-xs">{when(t, locale, m.lastSyncAt, timeZone)}</td>
                    <td className="text-xs">{when(t, locale, m.nextSyncAt, timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <Pager page={list.page} pageSize={list.pageSize} total={list.total} href={(p) => href({ page: String(p) })} t={t} />
    </section>
  );
}

/** The filter's current profile as the picker shows it; a profile gone since is shown by its id. */
async function profileChoice(db: Db, actor: Actor, id: string, t: Translate): Promise<PickerChoice> {
  if (id === "none") return { id, label: t("mailboxes.filter.noProfile") };
  const p = await getProfile(db, actor, { id }).catch(() => null);
  return { id, label: p?.name ?? id };
}
