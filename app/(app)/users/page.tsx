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
      <table className="w-full border-collapse bg-white text-sm shadow-sm">
        <thead className="bg-slate-100 text-left">
          <tr>
            <th className="px-3 py-2">{t("field.name")}</th>
            <th className="px-3 py-2">{t("field.email")}</th>
            <th className="px-3 py-2">{t("field.role")}</th>
            <th className="px-3 py-2">{t("users.status")}</th>
            <th className="px-3 py-2">{t("users.created")}</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.map((u) => (
            <tr key={u.id} className="border-t border-slate-200">
              <td className="px-3 py-2">
                <Link href={`/users/${u.id}`} className="text-blue-700 hover:underline">
                  {u.name}
                </Link>
              </td>
              <td className="px-3 py-2">{u.email}</td>
              <td className="px-3 py-2">{t(`role.${u.role}`)}</td>
              <td className="px-3 py-2">{u.active ? t("users.active") : t("users.inactive")}</td>
              <td className="px-3 py-2">{u.createdAt.toLocaleDateString(locale, { timeZone })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={result.page} pageSize={result.pageSize} total={result.total} href={(p) => `/users?page=${p}`} t={t} />
    </section>
  );
}
