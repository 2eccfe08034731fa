import { formatDate } from "@/lib/i18n/format";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { Pager } from "@/components/pager";
import { can } from "@/lib/auth/actor";
import type { MessageKey } from "@/lib/i18n/catalog";
import { listProfiles, type ProfilePage, type ProfileSort } from "@/lib/profiles/list-profiles";
import { getDb } from "@/lib/server/db";
import { getLocale, getTimeZone, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";

type Search = { page?: string; sort?: string; direction?: string };

export default async function ProfilesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor("profile:read");
  const [t, locale, sp, timeZone] = await Promise.all([getT(), getLocale(), searchParams, getTimeZone()]);
  const result = await listProfiles(getDb(), actor, { page: sp.page, sort: sp.sort, direction: sp.direction });
  const href = (q: { page?: number; sort?: ProfileSort; direction?: string }) => {
    const params = new URLSearchParams({ sort: q.sort ?? result.sort, direction: q.direction ?? result.direction });
    if (q.page && q.page > 1) params.set("page", String(q.page));
    return `/profiles?${params}`;
  };
  const header = (label: MessageKey, sort?: ProfileSort) => <SortHeader key={label} label={t(label)} sort={sort} result={result} href={href} sortByLabel={(c) => t("profiles.sortBy", { column: c })} />;

  return (
    <section>
      <div className="mb-4 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">{t("profiles.title")}</h1>
        {can(actor, "profile:write") ? (
          <Link href="/profiles/new" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">
            {t("profiles.new")}
          </Link>
        ) : null}
      </div>
      {result.total === 0 ? (
        <EmptyState message={t("empty.profiles")} />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse bg-white text-sm shadow-sm [&_td]:px-3 [&_td]:py-2 [&_th]:px-3 [&_th]:py-2">
            <thead className="bg-slate-100 text-left">
              <tr>
                {header("profiles.col.name", "name")}
                {header("profiles.col.type", "type")}
                {header("profiles.col.incoming")}
                {header("profiles.col.outgoing")}
                {header("profiles.col.credentialMode")}
                {header("profiles.col.default")}
                {header("profiles.col.mailboxes")}
                {header("profiles.col.owner")}
                {header("profiles.col.created", "created")}
              </tr>
            </thead>
            <tbody className="[&>tr]:border-t [&>tr]:border-slate-200">
              {result.items.map((p) => (
                <tr key={p.id} data-profile-row={p.name}>
                  <td>
                    <a href={`/profiles/${p.id}`} className="text-blue-700 hover:underline">
                      {p.name}
                    </a>
                  </td>
                  <td>{t(`profiles.serverType.${p.serverType}`)}</td>
                  <td className="font-mono text-xs">
                    {t(`profiles.protocol.${p.incomingProtocol}`)} {p.incomingHost}:{p.incomingPort}
                  </td>
                  <td className="font-mono text-xs">
                    SMTP {p.outgoingHost}:{p.outgoingPort}
                  </td>
                  <td>{t(`profiles.mode.${p.credentialMode}`)}</td>
                  <td data-testid="default-cell">
                    {p.isDefault ? <span className="rounded bg-blue-100 px-2 py-0.5 text-xs font-medium text-blue-800">{t("profiles.defaultMarker")}</span> : null}
                  </td>
                  <td className="text-right">{p.mailboxCount}</td>
                  <td>{p.ownerName ?? t("profiles.noOwner")}</td>
                  <td>{formatDate(p.createdAt, locale, { timeZone })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={result.page} pageSize={result.pageSize} total={result.total} href={(page) => href({ page })} t={t} />
    </section>
  );
}

/** A column header; sortable columns are links that sort by them, a second click reverses the order. */
function SortHeader({
  label,
  sort,
  result,
  href,
  sortByLabel,
}: {
  label: string;
  sort?: ProfileSort;
  result: ProfilePage;
  href: (q: { sort?: ProfileSort; direction?: string }) => string;
  sortByLabel: (column: string) => string;
}) {
  if (!sort) return <th>{label}</th>;
  const active = result.sort === sort;
  const next = active && result.direction === "asc" ? "desc" : "asc";
  return (
    <th aria-sort={active ? (result.direction === "asc" ? "ascending" : "descending") : "none"}>
      <Link href={href({ sort, direction: next })} title={sortByLabel(label)} className="text-blue-800 hover:underline">
        {label}
        {active ? <span aria-hidden="true">{result.direction === "asc" ? " ▲" : " ▼"}</span> : null}
      </Link>
    </th>
  );
}
