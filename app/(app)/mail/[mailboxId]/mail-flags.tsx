import type { Translate } from "@/lib/i18n/translate";

/** The "could not be parsed" and "too large — headers only" badges. */
export function MailFlags({ unparsed, oversized, t }: { unparsed: boolean; oversized: boolean; t: Translate }) {
  return (
    <>
      {unparsed && (
        <span data-flag="unparsed" title={t("mail.unparsedHelp")} className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-800">
          {t("mail.unparsed")}
        </span>
      )}
      {oversized && (
        <span data-flag="oversized" title={t("mail.oversizedHelp")} className="ml-2 rounded bg-slate-200 px-1.5 py-0.5 text-xs text-slate-700">
          {t("mail.oversized")}
        </span>
      )}
    </>
  );
}
