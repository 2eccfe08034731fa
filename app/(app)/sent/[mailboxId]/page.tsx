import { formatDateTime } from "@/lib/i18n/format";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EmptyState } from "@/components/empty-state";
import { Pager } from "@/components/pager";
import type { AddressJson } from "@/db/schema/emails";
import { AppError } from "@/lib/errors";
import type { Translate } from "@/lib/i18n/translate";
import { listSent, type SentRow } from "@/lib/outbox/list-sent";
import { getDb } from "@/lib/server/db";
import { getLocale, getTimeZone, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { RefreshWhilePending } from "./refresh-while-pending";
import { renderMessage, renderStored } from "@/lib/i18n/message";

const tone: Record<SentRow["status"], string> = {
  queued: "bg-slate-100 text-slate-800",
  sending: "bg-blue-100 text-blue-900",
  sent: "bg-green-100 text-green-900",
  retrying: "bg-amber-100 text-amber-900",
  failed: "bg-red-100 text-red-900",
};

/** The Sent view of a mailbox: what was written from it, newest first, with where each email stands. */
export default async function SentPage({ params, searchParams }: { params: Promise<{ mailboxId: string }>; searchParams: Promise<{ page?: string; queued?: string }> }) {
  const actor = await requireActor("mailbox:read-own");
  const [t, locale, { mailboxId }, sp, timeZone] = await Promise.all([getT(), getLocale(), params, searchParams, getTimeZone()]);
  const list = await listSent(getDb(), actor, { mailboxId, page: sp.page }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const m = list.mailbox;
  const when = (d: Date) => formatDateTime(d, locale, { dateStyle: "medium", timeStyle: "medium", timeZone });
  const pending = list.rows.some((r) => r.status === "queued" || r.status === "sending" || r.status === "retrying");
  const waitingDisabled = list.rows.some((r) => r.status === "queued") && !(m.outgoingEnabled && m.outgoingDelivery === "server_side_sync");
  return (
    <section className="flex flex-col gap-4">
      <RefreshWhilePending pending={pending} />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{t("outbox.sent.title", { name: m.name })}</h1>
          <p className="text-sm text-slate-500">{m.emailAddress}</p>
        </div>
        <div className="flex items-center gap-4 text-sm">
          <span className="text-slate-500">{t("outbox.sent.count", { total: list.total.toLocaleString(locale) })}</span>
          <Link href={`/compose/${m.id}`} className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800">{t("outbox.sent.new")}</Link>
        </div>
      </div>
      {sp.queued ? <p role="status" className="rounded border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">{t("outbox.sent.queuedNotice")}</p> : null}
      {waitingDisabled ? <p role="status" data-testid="waiting-disabled" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">{t("outbox.sent.waitingDisabled")}</p> : null}
      {list.rows.length === 0 ? (
        <EmptyState message={t("outbox.sent.empty")} />
      ) : (
        <table className="w-full border-collapse bg-white text-sm shadow-sm [&_td]:px-3 [&_td]:py-2 [&_th]:px-3 [&_th]:py-2">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th>{t("outbox.sent.col.created")}</th>
              <th>{t("outbox.sent.col.to")}</th>
              <th>{t("outbox.sent.col.subject")}</th>
              <th>{t("outbox.sent.col.status")}</th>
              <th>{t("outbox.sent.col.attempts")}</th>
              <th>{t("outbox.sent.col.details")}</th>
            </tr>
          </thead>
          <tbody className="[&>tr]:border-t [&>tr]:border-slate-200">
            {list.rows.map((r) => (
              <tr key={r.id} className="align-top" data-testid={`sent-${r.id}`}>
                <td className="whitespace-nowrap">{when(r.createdAt)}</td>
                <td className="max-w-64">{recipients(t, [...r.to, ...r.cc, ...r.bcc])}</td>
                <td>
                  {r.subject || t("outbox.sent.noSubject")}
                  {r.attachmentCount > 0 ? <span className="ml-2" title={t("outbox.sent.attachments", { count: r.attachmentCount })} aria-label={t("outbox.sent.attachments", { count: r.attachmentCount })}>📎</span> : null}
                </td>
                <td>
                  <span data-status={r.status} className={`rounded px-2 py-0.5 text-xs font-medium ${tone[r.status]}`}>{t(`outbox.status.${r.status}`)}</span>
                </td>
                <td className="text-center">{r.attempts}</td>
                <td className="text-slate-700">{details(t, r, when)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={list.page} pageSize={list.pageSize} total={list.total} href={(page) => `/sent/${m.id}?page=${page}`} t={t} />
    </section>
  );
}

function recipients(t: Translate, list: AddressJson[]): string {
  const shown = list.slice(0, 3).map((a) => a.name || a.address).join(", ");
  return list.length > 3 ? `${shown} ${t("outbox.sent.more", { count: list.length - 3 })}` : shown;
}

function details(t: Translate, r: SentRow, when: (d: Date) => string) {
  const reason = renderStored(t, r.lastError);
  switch (r.status) {
    case "sent":
      return (
        <>
          {t("outbox.detail.sent", { time: r.sentAt ? when(r.sentAt) : "?", reply: r.serverResponse ?? "" })}
          {r.sentCopy ? (
            <p data-testid="sent-copy" className={r.sentCopy === "failed" ? "text-red-800" : "text-slate-500"}>
              {r.sentCopy === "appended"
                ? t("outbox.sentCopy.appended", { folder: r.sentCopyFolder ?? "" })
                : r.sentCopy === "failed"
                  ? t("outbox.sentCopy.failed", { reason: r.sentCopyError ? renderMessage(t, r.sentCopyError) : "" })
                  : t("outbox.sentCopy.pending")}
            </p>
          ) : null}
        </>
      );
    case "retrying":
      return t("outbox.detail.retrying", { time: r.nextAttemptAt ? when(r.nextAttemptAt) : "?", reason });
    case "failed":
      return (
        <>
          <p className="text-red-800">{t("outbox.detail.failed", { reason })}</p>
          {r.serverResponse && !reason.includes(r.serverResponse) ? <p>{t("outbox.detail.serverSaid", { reply: r.serverResponse })}</p> : null}
          <p>{t("outbox.detail.failedAdvice")}</p>
        </>
      );
    case "sending":
      return t("outbox.detail.sending");
    default:
      return reason ? `${t("outbox.detail.queued")} ${reason}` : t("outbox.detail.queued");
  }
}
