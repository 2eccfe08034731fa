/** The first batch of a sync holds at most this many messages (see planBatches). */
export const FIRST_BATCH = 50;

/**
 * Splits messages (in order) into batches of at most `maxCount` messages and
 * `maxBytes` bytes; a message counts as at most `maxMessageBytes` (larger ones
 * are fetched as headers only). A single message bigger than `maxBytes` gets a
 * batch of its own, so every message is in exactly one batch. With `firstMaxCount`
 * the batches start small and double: the store pipeline overlaps a commit only
 * with the next download, so a small first batch starts committing sooner.
 */
export function planBatches<T extends { size: number }>(
  items: T[],
  o: { maxCount: number; maxBytes: number; maxMessageBytes: number; firstMaxCount?: number },
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  // Ramp: the first batch holds at most firstMaxCount, each next one twice the last, up to maxCount.
  let limit = Math.min(o.maxCount, o.firstMaxCount ?? o.maxCount);
  for (const item of items) {
    const cost = item.size > o.maxMessageBytes ? 0 : item.size;
    if (current.length > 0 && (current.length >= limit || bytes + cost > o.maxBytes)) {
      limit = Math.min(o.maxCount, limit * 2);
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** "1:3,7,9:10" for sorted UIDs: the compact IMAP sequence set. */
export function uidRange(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
