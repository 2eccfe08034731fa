import Link from "next/link";
import { Pager } from "@/components/pager";
import { listBasicAuthMailboxes, type BasicAuthRow } from "@/lib/oauth/list-basic-auth-mailboxes";
import type { Translate } from "@/lib/i18n/translate";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";

/** What the provider does with a password on this direction today (SPEC §7). */
function providerStatus(t: Translate, r: BasicAuthRow): string[] {
  const out: string[] = [];
  if (r.incoming === "microsoft") out.push(t("basicAuth.status.microsoftIncoming"));
  if (r.outgoing === "microsoft") out.push(t("basicAuth.status.microsoftSmtp"));
  if (r.incoming === "google" || r.outgoing === "google") out.push(t("basicAuth.status.google"));
  return out;
}

/** The basic-auth report (admins): mailboxes still signing in to Google or Microsoft 365 with a password. */
export default async function BasicAuthReportPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const actor = await requireActor("profile:write");
  const [t, sp] = await Promise.all([getT(), searchParams]);
  const list = await listBasicAuthMailboxes(getDb(), actor, { page: sp.page });
  const provider = (p: "google" | "microsoft") => (p === "google" ? "Google" : "Microsoft 365");
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">{t("basicAuth.title")}</h1>
      <p className="max-w-3xl text-sm text-slate-700">{t("basicAuth.intro")}</p>
      {list.items.length === 0 ? (
        <p data-testid="basic-auth-empty" className="rounded border border-dashed border-slate-300 bg-white p-6 text-center text-slate-500">{t("basicAuth.empty")}</p>
      ) : (
        <div className="overflow-x-auto rounded bg-white shadow-sm">
          <table className="min-w-full text-sm">
            <thead className="bg-slate-50 text-left text-slate-600">
              <tr>
                <th className="px-3 py-2">{t("basicAuth.col.mailbox")}</th>
                <th className="px-3 py-2">{t("basicAuth.col.profile")}</th>
                <th className="px-3 py-2">{t("basicAuth.col.directions")}</th>
                <th className="px-3 py-2">{t("basicAuth.col.status")}</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => (
                <tr key={r.mailboxId} data-basic-auth={r.mailboxId} className="border-t border-slate-100 align-top">
                  <td className="px-3 py-2">
                    <Link href={`/mailboxes/${r.mailboxId}`} className="text-blue-700 hover:underline">{r.mailboxName}</Link>
                    <div className="text-xs text-slate-500">{r.emailAddress}</div>
                  </td>
                  <td className="px-3 py-2">{r.profileName}</td>
                  <td className="px-3 py-2">
                    {r.incoming ? <div>{t("basicAuth.direction.incoming", { protocol: r.incomingProtocol.toUpperCase() })} — {provider(r.incoming)}</div> : null}
                    {r.outgoing ? <div>{t("basicAuth.direction.outgoing")} — {provider(r.outgoing)}</div> : null}
                  </td>
                  <td className="px-3 py-2">
                    {providerStatus(t, r).map((s) => (
                      <div key={s}>{s}</div>
                    ))}
                  </td>
                  <td className="px-3 py-2">
                    <Link href={`/profiles/${r.profileId}/edit`} className="whitespace-nowrap text-blue-700 hover:underline">{t("basicAuth.switch")}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={list.page} pageSize={list.pageSize} total={list.total} href={(p) => `/basic-auth?page=${p}`} t={t} />
    </section>
  );
}
