import { formatNumber } from "@/lib/i18n/format";
/** A byte count for people: "980 B", "1.4 MB", in the reader's number format (attachments, oversized messages). */
export function formatSize(bytes: number, locale: string): string {
  const units = ["B", "KB", "MB", "GB"];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${formatNumber(n, locale, { maximumFractionDigits: u ? 1 : 0 })} ${units[u]}`;
}
