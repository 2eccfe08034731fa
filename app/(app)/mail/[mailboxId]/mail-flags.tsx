import type { MessageKey } from "@/lib/i18n/catalog";
import type { Translate } from "@/lib/i18n/translate";

const AUTO_STYLE: Record<string, string> = {
  bounce: "bg-red-100 text-red-800",
  auto_reply: "bg-violet-100 text-violet-800",
  auto_generated: "bg-violet-100 text-violet-800",
  bulk: "bg-slate-200 text-slate-700",
};

/**
 * The badges beside a message: could not be parsed, too large (headers only),
 * automatic mail (auto-reply, automatic, bulk, bounce — with the header that says
 * so as its tooltip) and, for a bounce, the addresses that failed.
 */
export function MailFlags({
  unparsed,
  oversized,
  autoKind = null,
  autoReason = null,
  bounced = [],
  t,
}: {
  unparsed: boolean;
  oversized: boolean;
  autoKind?: string | null;
  autoReason?: string | null;
  bounced?: string[];
  t: Translate;
}) {
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
      {autoKind && AUTO_STYLE[autoKind] && (
        <span data-flag={autoKind} title={autoReason ?? undefined} className={`ml-2 rounded px-1.5 py-0.5 text-xs ${AUTO_STYLE[autoKind]}`}>
          {t(`mail.auto.${autoKind}` as MessageKey)}
        </span>
      )}
      {bounced.length > 0 && (
        <span data-flag="bounced-to" className="ml-2 text-xs text-red-800">
          {t("mail.bouncedTo", { addresses: bounced.slice(0, 3).join(", ") + (bounced.length > 3 ? " …" : "") })}
        </span>
      )}
    </>
  );
}
