import { formatDateTime } from "@/lib/i18n/format";
import type { AlertView } from "@/lib/alerts/alert-view";
import type { Translate } from "@/lib/i18n/translate";
import { markAlertsReadAction } from "./actions";
import { signInHref } from "@/lib/oauth/redirect-uri";
import { renderStored } from "@/lib/i18n/message";

const severityTone = { error: "border-red-300 bg-red-50", warning: "border-amber-300 bg-amber-50", information: "border-sky-300 bg-sky-50" };
const badgeTone = { error: "bg-red-700", warning: "bg-amber-600", information: "bg-sky-700" };

/** A list of alerts (My alerts, or a mailbox's wall): severity, title, message, detail, occurrences, mark read. */
export function AlertList({ items, t, locale, timeZone, showRecipient, showMailbox = true }: { items: AlertView[]; t: Translate; locale: string; timeZone?: string; showRecipient: boolean; showMailbox?: boolean }) {
  if (items.length === 0) return <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-center text-slate-500">{t("alerts.empty")}</p>;
  const date = (d: Date) => formatDateTime(d, locale, { dateStyle: "medium", timeStyle: "short", timeZone });
  return (
    <ul className="flex flex-col gap-2" aria-label={t("alerts.title")}>
      {items.map((a) => (
        <li key={a.id} data-alert={a.id} data-severity={a.severity} data-read={a.readAt ? "read" : "unread"} className={`rounded border p-3 text-sm ${severityTone[a.severity]} ${a.readAt ? "opacity-70" : ""}`}>
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div className="flex flex-col gap-1">
              <div className="flex flex-wrap items-center gap-2">
                <span className={`rounded px-1.5 text-xs font-medium text-white ${badgeTone[a.severity]}`}>{t(`alerts.severity.${a.severity}`)}</span>
                <strong>{renderStored(t, a.title)}</strong>
                {a.count > 1 ? <span className="rounded-full bg-slate-700 px-2 text-xs text-white" data-testid="alert-count">{t("alerts.count", { count: a.count })}</span> : null}
                <span className="text-xs text-slate-600">{a.readAt ? t("alerts.read") : t("alerts.unread")}</span>
              </div>
              <p>{renderStored(t, a.message)}</p>
              {a.mailboxId && a.dedupKey.startsWith("oauth:") ? (
                // A token failure: the way out is to sign in again (starts the consent flow for that mailbox).
                <a href={signInHref(a.mailboxId)} data-testid="alert-sign-in-again" className="self-start rounded bg-blue-700 px-3 py-1 text-xs font-medium text-white hover:bg-blue-800">
                  {t("oauth.alert.signInAgain")}
                </a>
              ) : null}
              <p className="flex flex-wrap gap-3 text-xs text-slate-600">
                {showMailbox && a.mailboxId && a.mailboxName ? (
                  <a href={`/mailboxes/${a.mailboxId}`} className="text-blue-700 hover:underline">{t("alerts.mailbox", { name: a.mailboxName })}</a>
                ) : null}
                {a.profileName ? <span>{t("alerts.profile", { name: a.profileName })}</span> : null}
                {showRecipient ? <span data-testid="alert-recipients">{t("alerts.recipient", { name: (a.recipientNames ?? [a.recipientName]).join(", ") })}</span> : null}
                <span>{t("alerts.firstSeen", { date: date(a.firstSeenAt) })}</span>
                <span>{t("alerts.lastSeen", { date: date(a.lastSeenAt) })}</span>
              </p>
              {a.detail ? (
                <details className="text-xs">
                  <summary className="cursor-pointer text-slate-600">{t("alerts.detail")}</summary>
                  <pre className="mt-1 whitespace-pre-wrap break-all rounded bg-white p-2">{a.detail}</pre>
                </details>
              ) : null}
            </div>
            {a.readAt ? null : (
              <form action={markAlertsReadAction}>
                {(a.ids ?? [a.id]).map((id) => (
                  <input key={id} type="hidden" name="id" value={id} />
                ))}
                <button type="submit" className="rounded border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-50">{t("alerts.markRead")}</button>
              </form>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
