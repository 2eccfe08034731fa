import { formatDateTime } from "@/lib/i18n/format";
import Link from "next/link";
import { getEmail } from "@/lib/emails/get-email";
import { renderEmailBody } from "@/lib/emails/render-email-body";
import { getDb } from "@/lib/server/db";
import { getLocale, getTimeZone, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { formatAddress } from "../../format-address";
import { loadOr404 } from "../../load-or-404";
import { MailFlags } from "../mail-flags";
import { listConversation } from "@/lib/threads/list-conversation";
import type { MessageKey } from "@/lib/i18n/catalog";
import { formatSize } from "../../format-size";

export default async function MessagePage({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string; emailId: string }>;
  searchParams: Promise<{ images?: string }>;
}) {
  const actor = await requireActor("mailbox:read-own");
  const [t, locale, { mailboxId, emailId }, sp, timeZone] = await Promise.all([getT(), getLocale(), params, searchParams, getTimeZone()]);
  const email = await loadOr404(getEmail(getDb(), actor, { mailboxId, emailId }));
  const base = `/mail/${email.mailbox.id}/${email.id}`;
  const conversation = await listConversation(getDb(), { mailboxId: email.mailbox.id, threadId: email.threadId, exceptEmailId: email.id });
  const allowRemote = sp.images === "1";
  // Sanitised here only to count the blocked images; the frame's own route serves the body.
  const body = renderEmailBody(email, { allowRemote });
  const headers: Array<[string, string]> = [
    [t("mail.from"), formatAddress({ name: email.fromName, address: email.fromAddress })],
    [t("mail.to"), email.to.map(formatAddress).join(", ")],
    [t("mail.cc"), email.cc.map(formatAddress).join(", ")],
    [t("mail.replyTo"), email.replyTo.map(formatAddress).join(", ")],
    [t("mail.date"), email.sentAt ? formatDateTime(email.sentAt, locale, { timeZone }) : ""],
    [t("mail.received"), formatDateTime(email.storedAt, locale, { timeZone })],
    [t("mail.folders"), email.folders?.join(", ") ?? ""],
    [t("mail.threadMatch"), email.threadMethod ? t(`mail.threadMethod.${email.threadMethod}` as MessageKey) : ""],
  ];
  return (
    <article>
      <Link href={`/mail/${email.mailbox.id}`} className="text-sm text-blue-700 hover:underline">← {t("mail.back")}</Link>
      <h1 className="mb-3 mt-2 text-2xl font-semibold">
        {email.subject || t("mail.noSubject")}
        <MailFlags unparsed={email.parseError !== null} oversized={email.oversized} autoKind={email.autoKind} autoReason={email.autoReason} t={t} />
      </h1>
      {email.autoKind && (
        <p className="mb-3 rounded bg-violet-50 p-3 text-sm text-violet-900" role="status" data-testid="automatic-mail">
          {t("mail.autoHelp", { reason: email.autoReason ?? "" })}
        </p>
      )}
      {email.dsnRecipients.length > 0 && (
        <section className="mb-3 rounded bg-red-50 p-3 text-sm text-red-900" aria-labelledby="dsn-heading" data-testid="bounce-report">
          <p id="dsn-heading" className="mb-2">{t("mail.bounceHelp")}</p>
          <table className="w-full text-left">
            <thead>
              <tr>
                <th className="pr-3">{t("mail.dsn.recipient")}</th>
                <th className="pr-3">{t("mail.dsn.action")}</th>
                <th className="pr-3">{t("mail.dsn.status")}</th>
                <th>{t("mail.dsn.diagnostic")}</th>
              </tr>
            </thead>
            <tbody>
              {email.dsnRecipients.map((r, i) => (
                <tr key={i}>
                  <td className="pr-3 break-all">{r.address}</td>
                  <td className="pr-3">{["failed", "delayed", "delivered", "relayed", "expanded"].includes(r.action) ? t(`mail.dsn.action.${r.action}` as MessageKey) : r.action}</td>
                  <td className="pr-3 font-mono">{r.status}</td>
                  <td className="break-all">{r.diagnostic ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {email.parseError !== null && <p className="mb-3 rounded bg-amber-50 p-3 text-sm text-amber-900" role="status">{t("mail.unparsedHelp")}</p>}
      {email.oversized && <p className="mb-3 rounded bg-slate-100 p-3 text-sm text-slate-700" role="status">{t("mail.oversizedHelp")}</p>}
      <dl className="mb-4 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 rounded bg-white p-4 text-sm shadow-sm" data-testid="mail-headers">
        {headers
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="font-medium text-slate-500">{label}</dt>
              <dd className="break-all">{value}</dd>
            </div>
          ))}
      </dl>
      <nav aria-label={t("mail.reply")} className="mb-4 flex gap-2 text-sm">
        <Link href={`/compose/${email.mailbox.id}?replyTo=${email.id}`} className="rounded border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">{t("mail.reply")}</Link>
        <Link href={`/compose/${email.mailbox.id}?forward=${email.id}`} className="rounded border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">{t("mail.forward")}</Link>
      </nav>

      {conversation.length > 0 && (
        <section className="mb-4 rounded bg-white p-4 text-sm shadow-sm" aria-labelledby="conversation-heading" data-testid="conversation">
          <h2 id="conversation-heading" className="mb-2 font-semibold">{t("mail.conversation")}</h2>
          <ol className="space-y-1">
            {conversation.map((c) => (
              <li key={`${c.kind}-${c.id}`} data-kind={c.kind}>
                <span className="mr-2 whitespace-nowrap text-slate-500">{formatDateTime(c.at, locale, { timeZone })}</span>
                {c.kind === "received" ? (
                  <>
                    <Link href={`/mail/${email.mailbox.id}/${c.id}`} className="text-blue-700 hover:underline">{c.subject || t("mail.noSubject")}</Link>
                    <span className="ml-2 text-slate-500">{c.from}</span>
                    <MailFlags unparsed={false} oversized={false} autoKind={c.autoKind} t={t} />
                  </>
                ) : (
                  <>
                    <Link href={`/sent/${email.mailbox.id}`} className="text-blue-700 hover:underline">{c.subject || t("mail.noSubject")}</Link>
                    <span className="ml-2 text-slate-500">{t("mail.conversationSentTo", { to: c.to })}</span>
                  </>
                )}
              </li>
            ))}
          </ol>
        </section>
      )}

      {email.attachments.length > 0 && (
        <section className="mb-4 rounded bg-white p-4 text-sm shadow-sm" aria-labelledby="attachments-heading">
          <h2 id="attachments-heading" className="mb-2 font-semibold">{t("mail.attachments")}</h2>
          <ul className="space-y-1">
            {email.attachments.map((a) => (
              <li key={a.position}>
                {/* A plain link: the route answers with Content-Disposition: attachment. */}
                <a href={`${base}/attachments/${a.position}`} download={a.filename} className="text-blue-700 hover:underline">{a.filename}</a>
                <span className="ml-2 text-slate-500">{a.contentType} · {formatSize(a.sizeBytes, locale)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {body ? (
        <>
          {body.blockedImages > 0 && !allowRemote && (
            <p className="mb-2 flex items-center gap-3 rounded bg-sky-50 p-3 text-sm text-sky-900" data-testid="images-blocked">
              {t("mail.imagesBlocked", { count: body.blockedImages })}
              <Link href={`${base}?images=1`} className="font-medium text-blue-700 hover:underline">{t("mail.showImages")}</Link>
            </p>
          )}
          {allowRemote && (
            <p className="mb-2 text-sm">
              <Link href={base} className="text-blue-700 hover:underline">{t("mail.hideImages")}</Link>
            </p>
          )}
          {/* sandbox="": no scripts, no same origin, no forms, no popups; the route adds a strict CSP. */}
          <iframe
            title={t("mail.bodyFrame")}
            src={`${base}/body${allowRemote ? "?images=1" : ""}`}
            sandbox=""
            referrerPolicy="no-referrer"
            className="h-[70vh] w-full resize-y rounded border border-slate-200 bg-white"
          />
          {email.textBody && (
            <details className="mt-4 rounded bg-white p-4 text-sm shadow-sm">
              <summary className="cursor-pointer font-medium">{t("mail.plainText")}</summary>
              <pre className="mt-2 whitespace-pre-wrap break-words font-sans">{email.textBody}</pre>
            </details>
          )}
        </>
      ) : email.textBody ? (
        <pre className="whitespace-pre-wrap break-words rounded bg-white p-4 font-sans text-sm shadow-sm" data-testid="mail-text">{email.textBody}</pre>
      ) : (
        <p className="text-sm text-slate-500">{t("mail.noBody")}</p>
      )}
    </article>
  );
}
