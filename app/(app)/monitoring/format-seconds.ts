import { formatNumber } from "@/lib/i18n/format";
/** A duration in the reader's language ("42 sec", "3.5 min", "1.2 hr" / "42 秒", "3.5 分", "1.2 時間"); "—" for no value. */
export function formatSeconds(locale: string, seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  const [value, unit] = seconds < 90 ? [seconds, "second"] : seconds < 90 * 60 ? [seconds / 60, "minute"] : [seconds / 3600, "hour"];
  return formatNumber(value, locale, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: value < 10 ? 1 : 0 });
}
