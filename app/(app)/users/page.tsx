import { formatDate } from "@/lib/i18n/format";
import Link from "next/link";
import { Pager } from "@/components/pager";
import { listUsers } from "@/lib/users/list-users";
import { getDb } from "@/lib/server/db";
import { getLocale, getTimeZone, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";

export default async function UsersPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const actor = await requireActor("user:admin");
  const [t, locale, sp, timeZone] = await Promise.all([getT(), getLocale(), searchParams, getTimeZone()]);
  const result = await listUsers(getDb(), actor, { page: Number(sp.page) || 1 });
  return (
    <section>
      <div className="mb-4 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">{t("users.title")}</h1>
        <Link href="/users/new" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">
          {t("users.new")}
        </Link>
      </div>
      <table className="w-full border-collapse bg-white text-sm shadow-sm [&_td]:px-3 [&_td]:py-2 [&_th]:px-3 [&_th]:py-2">
        <thead className="bg-slate-100 text-left">
          <tr>
            <th>{t("field.name")}</th>
            <th>{t("field.email")}</th>
            <th>{t("field.role")}</th>
            <th>{t("users.status")}</th>
            <th>{t("users.created")}</th>
          </tr>
        </thead>
        <tbody className="[&>tr]:border-t [&>tr]:border-slate-200">
          {result.rows.map((u) => (
            <tr key={u.id}>
              <td>
                <a href={`/users/${u.id}`} className="text-blue-700 hover:underline">
                  {u.name}
                </a>
              </td>
              <td>{u.email}</td>
              <td>{t(`role.${u.role}`)}</td>
              <td>{u.active ? t("users.active") : t("users.inactive")}</td>
              <td>{formatDate(u.createdAt, locale, { timeZone })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={result.page} pageSize={result.pageSize} total={result.total} href={(p) => `/users?page=${p}`} t={t} />
    </section>
  );
}
