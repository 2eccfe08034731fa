import { formatDateTime } from "@/lib/i18n/format";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import { composeDraft } from "@/lib/outbox/compose-draft";
import { formatBytes, OUTBOX_LIMITS } from "@/lib/outbox/outbox-limits";
import { getDb } from "@/lib/server/db";
import { getLocale, getTimeZone, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { sendEmailAction } from "./actions";
import { ComposeForm } from "./compose-form";
import { renderMessage } from "@/lib/i18n/message";

/** New email from a mailbox; `?replyTo=<emailId>` or `?forward=<emailId>` starts from a stored message. */
export default async function ComposePage({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string }>;
  searchParams: Promise<{ replyTo?: string; forward?: string }>;
}) {
  const actor = await requireActor("mailbox:read-own");
  const [t, locale, { mailboxId }, sp, timeZone] = await Promise.all([getT(), getLocale(), params, searchParams, getTimeZone()]);
  const replyTo = typeof sp.replyTo === "string" ? sp.replyTo : "";
  const forward = !replyTo && typeof sp.forward === "string" ? sp.forward : "";
  const draft = await composeDraft(getDb(), actor, {
    mailboxId,
    replyTo: replyTo || undefined,
    forward: forward || undefined,
    labels: {
      wrote: t("outbox.quote.wrote"),
      forwarded: t("outbox.quote.forwarded"),
      from: t("outbox.quote.from"),
      date: t("outbox.quote.date"),
      subject: t("outbox.quote.subject"),
      to: t("outbox.quote.to"),
      cc: t("outbox.quote.cc"),
    },
    formatDate: (d) => formatDateTime(d, locale, { dateStyle: "medium", timeStyle: "short", timeZone }),
  }).catch((err) => {
    if (err instanceof AppError && err.code === "forbidden") forbidden();
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const m = draft.mailbox;
  const title = draft.mode === "reply" ? "outbox.compose.replyTitle" : draft.mode === "forward" ? "outbox.compose.forwardTitle" : "outbox.compose.title";
  const maxSize = formatBytes(OUTBOX_LIMITS.attachmentBytes);
  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-wrap gap-4 text-sm">
        <Link href={`/mail/${m.id}`} className="text-blue-700 hover:underline">{t("outbox.compose.backToMail")}</Link>
        <Link href={`/sent/${m.id}`} className="text-blue-700 hover:underline">{t("outbox.compose.toSent")}</Link>
      </div>
      <h1 className="text-2xl font-semibold">{t(title, { name: m.name })}</h1>
      <p className="text-sm text-slate-600">
        {t("outbox.compose.from")}: {m.name} &lt;{m.emailAddress}&gt;
      </p>
      {m.refusal ? (
        <div role="alert" data-testid="cannot-send" className="max-w-3xl rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <p className="font-medium">{t("outbox.compose.cannotSend")}</p>
          <p>{renderMessage(t, m.refusal)}</p>
        </div>
      ) : (
        <ComposeForm
          action={sendEmailAction}
          initial={{ mailboxId: m.id, replyTo: draft.mode === "reply" ? String(draft.sourceEmailId) : "", forward: draft.mode === "forward" ? String(draft.sourceEmailId) : "", to: draft.to, cc: draft.cc, bcc: "", subject: draft.subject, body: draft.body }}
          forwardAttachments={draft.forwardAttachments.map((a) => ({ position: a.position, filename: a.filename, sizeBytes: a.sizeBytes, sizeLabel: formatBytes(a.sizeBytes) }))}
          maxBytes={OUTBOX_LIMITS.attachmentBytes}
          labels={{
            to: t("outbox.compose.to"),
            cc: t("outbox.compose.cc"),
            bcc: t("outbox.compose.bcc"),
            addressHelp: t("outbox.compose.addressHelp"),
            subject: t("outbox.compose.subject"),
            body: t("outbox.compose.body"),
            attachments: t("outbox.compose.attachments"),
            attachmentsHelp: t("outbox.compose.attachmentsHelp", { count: OUTBOX_LIMITS.attachmentCount, size: maxSize }),
            forwarded: t("outbox.compose.forwarded"),
            send: t("outbox.compose.send"),
            sendAnyway: t("outbox.compose.sendAnyway"),
            tooLarge: t("outbox.compose.tooLarge", { size: maxSize }),
          }}
        />
      )}
    </section>
  );
}
