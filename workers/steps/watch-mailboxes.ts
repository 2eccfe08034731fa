import { log } from "../../lib/log";
import { checkSilentMailboxes } from "../../lib/monitoring/check-silent-mailboxes";
import { checkSlowMail } from "../../lib/monitoring/check-slow-mail";
import type { WorkStep } from "../loop";

/**
 * The worker step that raises the alerts no sync raises itself: mailboxes that
 * silently stopped syncing, and slow new mail. About once every `everyMs`; it
 * never counts as handled work. Every worker runs it; the checks' marking updates
 * make sure each alert goes out once.
 */
export function createWatchMailboxesStep(overrides: { everyMs?: number } = {}): WorkStep {
  const everyMs = overrides.everyMs ?? 60_000;
  let last = 0;
  return async function watchMailboxes(ctx) {
    const now = Date.now();
    if (now - last < everyMs) return 0;
    last = now;
    const silent = await checkSilentMailboxes(ctx.db);
    const slow = await checkSlowMail(ctx.db);
    if (silent.raised.length + silent.cleared.length + slow.raised.length + slow.cleared.length > 0) {
      log("info", "mailbox watch", { workerId: ctx.workerId, silent: silent.raised.length, syncingAgain: silent.cleared.length, slow: slow.raised.length, fastAgain: slow.cleared.length });
    }
    return 0;
  };
}

/** The step registered in workers/loop.ts. */
export const watchMailboxes = createWatchMailboxesStep();
