import { alertSecretExpiry } from "../../lib/credentials/alert-secret-expiry";
import { refreshIdleCredentials } from "../../lib/credentials/refresh-idle-credentials";
import { log } from "../../lib/log";
import type { WorkStep } from "../loop";

/**
 * OAuth upkeep, about every `everyMs` (default 5 minutes): refresh every delegated
 * sign-in not refreshed for 20 hours (so idle mailboxes' refresh tokens never die
 * unused), and warn profile owners 30, 7 and 1 days before a client secret
 * expires. Every worker runs it; the refresh lock and the alerts' dedup keys keep
 * two workers from doing either twice. Never counts as handled work.
 */
export function createKeepOAuthAliveStep(overrides: { everyMs?: number; maxAgeMs?: number } = {}): WorkStep {
  const everyMs = overrides.everyMs ?? 5 * 60_000;
  let last = 0;
  return async function keepOAuthAlive(ctx) {
    const now = Date.now();
    if (now - last < everyMs) return 0;
    last = now;
    const { refreshed, failed } = await refreshIdleCredentials(ctx.db, { maxAgeMs: overrides.maxAgeMs });
    const warned = await alertSecretExpiry(ctx.db);
    if (refreshed + failed + warned > 0) log("info", "oauth upkeep", { workerId: ctx.workerId, refreshed, failed, secretExpiryAlerts: warned });
    return 0;
  };
}

/** The step registered in workers/loop.ts. */
export const keepOAuthAlive = createKeepOAuthAliveStep();
