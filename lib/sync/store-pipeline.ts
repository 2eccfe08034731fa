/**
 * Lets the next batch download while the previous one is being committed, one
 * commit at a time and in order (each batch moves the cursor past the last).
 * `push` waits for the previous commit, then starts `commit` without waiting for
 * it; `flush` waits for the last one. A failed commit surfaces at the next
 * `push` or `flush`, before anything later is written.
 */
export function createStorePipeline() {
  let pending: Promise<void> | null = null;
  const flush = async () => {
    const p = pending;
    pending = null;
    if (p) await p;
  };
  return {
    async push(commit: () => Promise<void>): Promise<void> {
      await flush();
      const p = commit();
      p.catch(() => {}); // observed by the next push/flush; not an unhandled rejection meanwhile
      pending = p;
    },
    flush,
  };
}
