/** A time as "2026-12-01 10:05 UTC": a parameter of stored alert messages, readable in any language. */
export function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
