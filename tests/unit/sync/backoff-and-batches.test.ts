import { expect, test } from "vitest";
import { backoffDelayMs } from "../../../lib/sync/backoff-delay";
import { planBatches, uidRange } from "../../../lib/sync/plan-batches";

const MIN = 60_000;

test("backoff doubles from the polling interval up to 30 minutes, with at most +20 % jitter, never below the interval", () => {
  expect([1, 2, 3, 4, 5, 6, 7, 20, 1000].map((n) => backoffDelayMs(n, 5 * MIN, 30 * MIN, () => 0))).toEqual([
    5 * MIN, 10 * MIN, 20 * MIN, 30 * MIN, 30 * MIN, 30 * MIN, 30 * MIN, 30 * MIN, 30 * MIN,
  ]);
  expect(backoffDelayMs(1, 5 * MIN, 30 * MIN, () => 0.999)).toBeCloseTo(6 * MIN, -3);
  expect(backoffDelayMs(4, 5 * MIN, 30 * MIN, () => 0.999)).toBe(30 * MIN); // jitter never passes the cap
  expect(backoffDelayMs(3, 60 * MIN, 30 * MIN, () => 0.5)).toBe(60 * MIN); // an interval above the cap still holds
  const spread = new Set(Array.from({ length: 20 }, (_, i) => backoffDelayMs(2, MIN, 30 * MIN, () => i / 20)));
  expect(spread.size).toBe(20);
});

test("batches hold at most N messages and B bytes; oversized messages cost nothing (headers only); each message is in exactly one batch", () => {
  const items = [10, 10, 10, 500, 10, 10, 2000, 10].map((size, i) => ({ i, size }));
  const batches = planBatches(items, { maxCount: 3, maxBytes: 600, maxMessageBytes: 1000 });
  expect(batches.map((b) => b.map((x) => x.i))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
  expect(planBatches([{ size: 5000 }, { size: 5000 }], { maxCount: 10, maxBytes: 100, maxMessageBytes: 10_000 })).toHaveLength(2);
  expect(planBatches([], { maxCount: 10, maxBytes: 100, maxMessageBytes: 10 })).toEqual([]);
});

test("UID sets are compacted into ranges", () => {
  expect(uidRange([5, 1, 2, 3, 7, 9, 10])).toBe("1:3,5,7,9:10");
  expect(uidRange([42])).toBe("42");
});
