import { formatDateTime } from "@/lib/i18n/format";
import type { Translate } from "@/lib/i18n/translate";
import type { DeliveryMethod, MailboxView, TestStatus } from "@/lib/mailboxes/mailbox-view";

export const deliveryOptions = ["server_side_sync", "email_router", "none"] as const;

/** Labels for delivery methods and statuses in the request's language. */
export const deliveryLabel = (t: Translate, d: DeliveryMethod) => t(`mailboxes.delivery.${d}`);
export const statusLabel = (t: Translate, s: TestStatus) => t(`mailboxes.status.${s}`);

/** "incoming, outgoing" / "No": which directions are enabled. */
export function enabledLabel(t: Translate, m: Pick<MailboxView, "incomingEnabled" | "outgoingEnabled">): string {
  const on = [m.incomingEnabled ? t("mailboxes.enabled.in") : null, m.outgoingEnabled ? t("mailboxes.enabled.out") : null].filter(Boolean);
  return on.length ? on.join(", ") : t("mailboxes.enabled.none");
}

/** A date and time in the reader's language and time zone (getTimeZone), or "never". */
export function when(t: Translate, locale: string, d: Date | null, timeZone?: string): string {
  return d ? formatDateTime(d, locale, { dateStyle: "medium", timeStyle: "short", timeZone }) : t("mailboxes.never");
}

export const statusTone: Record<TestStatus, string> = {
  not_run: "text-slate-600",
  success: "text-green-800",
  failure: "text-red-800 font-medium",
  not_supported: "text-slate-500",
  retrying: "text-amber-800",
};
