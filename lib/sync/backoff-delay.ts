/**
 * How long to wait after the `failures`-th transient failure in a row:
 * exponential from the polling interval (interval, 2×, 4×, …) up to `capMs`,
 * with up to +20 % jitter so mailboxes that failed together do not retry
 * together. Never shorter than the interval (the polling minimum), and never
 * longer than the cap unless the interval itself is longer.
 */
export function backoffDelayMs(failures: number, intervalMs: number, capMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const base = Math.min(capMs, intervalMs * 2 ** exponent);
  const jittered = Math.min(capMs, base * (1 + 0.2 * random()));
  return Math.round(Math.max(intervalMs, jittered));
}
