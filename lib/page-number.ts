/** No list has more pages than this; a larger asked page is the last page anyway. */
const MAX_PAGE = 1_000_000;

/**
 * The page a request asks for, as a whole number from 1: junk ("x", "1e300",
 * a 20-digit number, negative) is clamped so it can never reach a query as an
 * offset the database refuses. Callers then clamp it to their last page.
 */
export function pageNumber(value: unknown): number {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : NaN;
  if (!Number.isFinite(n)) return n === Infinity ? MAX_PAGE : 1;
  return Math.min(Math.max(Math.trunc(n), 1), MAX_PAGE);
}
