/** The longest an idle worker sleeps between passes (outbox and jobs are looked at this often). */
export const IDLE_MS = 1000;
/** The shortest sleep before looking again at a mailbox that is due but was not claimable. */
const RETRY_MS = 25;
/** Timer slack: wake a little after the due time, so the claim's now() has passed it. */
const SLACK_MS = 2;

/**
 * When the sync step wants the loop to look again: at the next mailbox's due time
 * (nextDueIn), instead of after the loop's fixed idle sleep. A mailbox that is due
 * but was not claimed (another worker holds its row for a moment, or the claim passes
 * it over on purpose) is looked at again after a delay that doubles with each such
 * pass, up to the loop's cap, so it cannot make the worker spin.
 */
export function createDueTimer(capMs: number) {
  let delay: number | undefined;
  let missed = 0;
  return {
    /** After a claim: `dueInMs` from nextDueIn, `claimed` how many the claim took. */
    plan(dueInMs: number | undefined, claimed: number) {
      if (dueInMs === undefined) {
        delay = undefined;
        missed = 0;
      } else if (dueInMs <= 0) {
        missed = claimed === 0 ? missed + 1 : 0;
        delay = Math.min(capMs, RETRY_MS * 2 ** Math.min(10, Math.max(0, missed - 1)));
      } else {
        missed = 0;
        delay = dueInMs + SLACK_MS;
      }
    },
    /** Settles at the planned time; undefined when the loop's own cap comes first. */
    wait(): Promise<void> | undefined {
      if (delay === undefined || delay >= capMs) return undefined;
      const ms = delay;
      return new Promise((resolve) => setTimeout(resolve, ms).unref());
    },
  };
}
