import { formatDateTime } from "@/lib/i18n/format";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { Pager } from "@/components/pager";
import { listQuarantine } from "@/lib/emails/list-quarantine";
import { parseIntegerId } from "@/lib/emails/parse-mail-ids";
import { getDb } from "@/lib/server/db";
import { getLocale, getTimeZone, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { loadOr404 } from "../../load-or-404";
import { ReparseButton } from "./reparse-button";
import { formatSize } from "../../format-size";

/** A mailbox's quarantine: messages stored raw and flagged, with the reason, the raw download and "parse again". */
export default async function QuarantinePage({ params, searchParams }: { params: Promise<{ mailboxId: string }>; searchParams: Promise<{ page?: string; parsed?: string }> }) {
  const actor = await requireActor("mailbox:read-own");
  const [t, locale, { mailboxId }, sp, timeZone] = await Promise.all([getT(), getLocale(), params, searchParams, getTimeZone()]);
  const list = await loadOr404(listQuarantine(getDb(), actor, { mailboxId, page: sp.page }));
  const base = `/mail/${list.mailbox.id}`;
  const parsedId = typeof sp.parsed === "string" ? parseIntegerId(sp.parsed) : null;
  return (
    <section>
      <Link href={base} className="text-sm text-blue-700 hover:underline">← {t("quarantine.backToMail")}</Link>
      <h1 className="mb-1 mt-2 text-2xl font-semibold">{t("quarantine.title", { name: list.mailbox.name })}</h1>
      <p className="mb-2 text-sm text-slate-500">{list.mailbox.emailAddress}</p>
      <p className="mb-4 max-w-3xl text-sm text-slate-700">{t("quarantine.intro")}</p>
      {parsedId !== null && (
        <p role="status" data-testid="reparsed" className="mb-4 rounded border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">
          {t("quarantine.reparse.parsed")}{" "}
          <Link href={`${base}/${parsedId}`} className="underline">{t("quarantine.openMessage")}</Link>
        </p>
      )}
      {list.rows.length === 0 ? (
        <EmptyState message={t("quarantine.empty")} />
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-500">{t("quarantine.count", { total: list.total.toLocaleString(locale) })}</p>
          <table className="w-full border-collapse bg-white text-sm shadow-sm">
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className="px-3 py-2">{t("mail.from")}</th>
                <th className="px-3 py-2">{t("mail.subject")}</th>
                <th className="px-3 py-2">{t("mail.received")}</th>
                <th className="px-3 py-2">{t("quarantine.reason")}</th>
                <th className="px-3 py-2">{t("quarantine.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((m) => (
                <tr key={m.id} data-email-id={m.id} className="border-t border-slate-200 align-top">
                  <td className="max-w-56 truncate px-3 py-2" title={m.fromAddress}>{m.fromAddress}</td>
                  <td className="px-3 py-2">
                    <Link href={`${base}/${m.id}`} className="text-blue-700 hover:underline">{m.subject || t("mail.noSubject")}</Link>
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">{formatDateTime(m.storedAt, locale, { timeZone })}</td>
                  <td className="max-w-80 px-3 py-2" data-reason={m.reason.kind}>
                    {m.reason.kind === "oversized" ? (
                      <>
                        <span className="font-medium">{t("quarantine.reason.oversized", { size: formatSize(m.reason.sizeBytes, locale) })}</span>
                        <p className="mt-1 text-xs text-slate-600">{t("quarantine.oversizedNote")}</p>
                      </>
                    ) : (
                      <>
                        <span className="font-medium">{t("quarantine.reason.unparsed")}</span>
                        {m.reason.detail && (
                          <p className="mt-1 text-xs text-slate-600">
                            {t("quarantine.detail")}: <code className="break-all">{m.reason.detail}</code>
                          </p>
                        )}
                      </>
                    )}
                  </td>
                  <td className="px-3 py-2">
                    <div className="flex flex-col gap-2">
                      <a href={`${base}/${m.id}/raw`} download className="text-blue-700 hover:underline">{t("quarantine.download")}</a>
                      {m.reason.kind === "unparsed" && <ReparseButton mailboxId={list.mailbox.id} emailId={m.id} label={t("quarantine.reparse")} />}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={list.page} pageSize={list.pageSize} total={list.total} href={(page) => `${base}/quarantine?page=${page}`} t={t} />
        </>
      )}
    </section>
  );
}
