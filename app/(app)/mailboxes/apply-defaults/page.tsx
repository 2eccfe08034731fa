import Link from "next/link";
import { AppError } from "@/lib/errors";
import { previewDefaultSettings, type DefaultSettingsPreview } from "@/lib/mailboxes/preview-default-settings";
import { isUuid } from "@/lib/is-uuid";
import { getDb } from "@/lib/server/db";
import { getLocale, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { ApplyDefaultsForm } from "./apply-defaults-form";
import { renderMessage } from "@/lib/i18n/message";

export default async function ApplyDefaultsPage({ searchParams }: { searchParams: Promise<{ ids?: string | string[] }> }) {
  const actor = await requireActor("mailbox:write");
  const [t, locale, sp] = await Promise.all([getT(), getLocale(), searchParams]);
  const ids = [...new Set([sp.ids ?? []].flat().filter(isUuid))].slice(0, 500);
  let preview: DefaultSettingsPreview | null = null;
  let problem: string | null = ids.length ? null : t("mailboxes.selectFirst");
  if (!problem) {
    try {
      preview = await previewDefaultSettings(getDb(), actor, { ids });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problem = renderMessage(t, err.userMessage);
    }
  }
  const d = (v: string) => t(`mailboxes.delivery.${v as "none"}`);
  const cell = (c: { from: string | null; to: string | null; changes: boolean }, label: (v: string) => string = (v) => v) =>
    c.changes ? (
      <span data-changes="yes">
        <del className="text-slate-500">{c.from === null ? t("mailboxes.none") : label(c.from)}</del> → <strong>{c.to === null ? t("mailboxes.none") : label(c.to)}</strong>
      </span>
    ) : (
      <span className="text-slate-500">{t("mailboxes.applyNoChange")}</span>
    );
  return (
    <section className="flex flex-col gap-4">
      <Link href="/mailboxes" className="text-sm text-blue-700 hover:underline">{t("mailboxes.backToList")}</Link>
      <h1 className="text-2xl font-semibold">{t("mailboxes.applyTitle")}</h1>
      {problem || !preview ? (
        <p role="alert" data-form-status="error" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{problem}</p>
      ) : (
        <>
          <p className="text-sm">{t("mailboxes.applyIntro", { profile: preview.defaultProfile.name })}</p>
          <table className="w-full border-collapse bg-white text-sm shadow-sm">
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className="px-2 py-2">{t("mailboxes.col.name")}</th>
                <th className="px-2 py-2">{t("mailboxes.field.profile")}</th>
                <th className="px-2 py-2">{t("mailboxes.field.incomingDelivery")}</th>
                <th className="px-2 py-2">{t("mailboxes.field.outgoingDelivery")}</th>
                <th className="px-2 py-2">{t("mailboxes.field.actDelivery")}</th>
              </tr>
            </thead>
            <tbody>
              {preview.mailboxes.map((m) => (
                <tr key={m.id} className="border-t border-slate-200" data-preview-row={m.emailAddress}>
                  <td className="px-2 py-2">
                    {m.name}
                    <div className="text-xs text-slate-500">{m.emailAddress}</div>
                  </td>
                  <td className="px-2 py-2">{cell(m.profile)}</td>
                  <td className="px-2 py-2">{cell(m.incomingDelivery, d)}</td>
                  <td className="px-2 py-2">{cell(m.outgoingDelivery, d)}</td>
                  <td className="px-2 py-2">{cell(m.actDelivery, d)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ApplyDefaultsForm ids={preview.mailboxes.map((m) => m.id)} locale={locale} />
        </>
      )}
    </section>
  );
}
