import { env } from "../../lib/env";
import { log } from "../../lib/log";
import { createGate, holdIdleSession, type HeldSession, type HoldOptions, type SessionEnd } from "../../lib/sync/hold-idle-session";
import { claimPushMailboxes, pushFairShare, renewHeldSessions } from "../../lib/sync/push-sessions-sql";
import { resolveSyncOptions } from "../../lib/sync/sync-options";
import type { LoopContext, WorkStep } from "../loop";
import type { SyncEvent } from "../sync-events";

export type PushStepOptions = {
  /** The most sessions this worker holds (MAILROOM_PUSH_SESSIONS); 0 turns push off here. */
  maxSessions: number;
  /** Lease of a held mailbox and its slot: a dead worker's sessions are taken over this long after its last renewal. */
  leaseMs: number;
  /** How often the leases are renewed (well inside leaseMs). */
  renewEveryMs: number;
  /** How often to look for mailboxes to hold while below the share. */
  claimEveryMs: number;
  /** How often the fair share is recomputed. */
  shareEveryMs: number;
  /** Most sessions started per pass (a reconnect storm is also gated inside the sessions). */
  claimBatch: number;
  /** Budget of one sync on a held session (it continues after a batch boundary). */
  budgetMs: number;
} & Pick<HoldOptions, "noopEveryMs" | "reconnectBaseMs" | "reconnectCapMs" | "maxReconnects">;

const DEFAULTS: Omit<PushStepOptions, "maxSessions"> = {
  leaseMs: 40_000,
  renewEveryMs: 10_000,
  claimEveryMs: 2_000,
  shareEveryMs: 10_000,
  claimBatch: 100,
  budgetMs: 20_000,
  noopEveryMs: 30_000,
  reconnectBaseMs: 1_000,
  reconnectCapMs: 30_000,
  maxReconnects: 8,
};

/** How many sessions above its share a worker keeps before shedding, so shares do not flap. */
const SHARE_SLACK = 2;

/**
 * The worker step for push: it holds up to its fair share of the mailboxes that may be
 * pushed (their count ÷ live workers, at most `maxSessions`) as IMAP sessions kept open
 * (lib/sync/hold-idle-session.ts), renews their leases and slots together, sheds what
 * is above its share when more workers come, and closes a session within seconds when
 * the database notifies a change to its mailbox or profile (settings, credentials,
 * disabled, approval, "Sync now": the mailbox is polled at once with what is current,
 * and held again afterwards). What it cannot hold is polled as before.
 */
export function createHoldPushSessionsStep(overrides: Partial<PushStepOptions> = {}): WorkStep {
  // maxSessions is read from the environment on the first pass, not at import.
  const o: PushStepOptions = { ...DEFAULTS, maxSessions: -1, ...overrides };
  const sessions = new Map<string, HeldSession>();
  const gate = createGate(16);
  let share = 0;
  let lastShare = 0;
  let lastRenew = 0;
  let lastClaim = 0;
  let recheck = false;
  let unsubscribe: (() => void) | undefined;

  const end = (s: HeldSession, e: SessionEnd) => {
    s.close(e);
    sessions.delete(s.mailboxId);
  };
  const onEvent = (e: SyncEvent) => {
    if (!e.mailbox && !e.profile) {
      recheck = true;
      return;
    }
    for (const s of sessions.values()) {
      if (s.mailboxId === e.mailbox || s.profileId === e.profile) end(s, { state: "settings_changed", retryMs: 0, pollNow: true });
    }
    // The mailbox may have become pushable (enabled, approved): look for it soon.
    lastClaim = 0;
    lastShare = 0;
  };

  const step: WorkStep = async function holdPushSessions(ctx: LoopContext) {
    if (o.maxSessions < 0) o.maxSessions = env().MAILROOM_PUSH_SESSIONS;
    if (o.maxSessions === 0 || ctx.signal.aborted) return 0;
    if (!unsubscribe && ctx.events) unsubscribe = ctx.events.on(onEvent);
    const now = Date.now();
    // Recomputed now and then; more often while this worker is at its share (more may have become pushable).
    if (now - lastShare >= (sessions.size >= share ? o.claimEveryMs : o.shareEveryMs)) {
      lastShare = now;
      share = await pushFairShare(ctx.db);
    }
    const limit = Math.min(o.maxSessions, share);
    if (recheck || now - lastRenew >= o.renewEveryMs) {
      recheck = false;
      lastRenew = now;
      const held = [...sessions.values()];
      const kept = await renewHeldSessions(ctx.db, { workerId: ctx.workerId, ids: held.map((s) => s.mailboxId), slotOwners: held.map((s) => s.slotOwner), leaseMs: o.leaseMs });
      for (const s of held) {
        if (!kept.ids.has(s.mailboxId)) end(s, { state: "released", retryMs: 0, pollNow: false });
        // A slot that was not renewed expired and may be someone else's now: stay within the budget.
        else if (!kept.slotOwners.has(s.slotOwner) && s.connectedSince()) end(s, { state: "no_slot", retryMs: 30_000, pollNow: false });
      }
    }
    if (sessions.size > limit + SHARE_SLACK) {
      // Another worker came: give back what is above the share; it takes them at once.
      for (const s of [...sessions.values()].slice(limit)) end(s, { state: "released", retryMs: 0, pollNow: false });
    }
    let started = 0;
    if (sessions.size < limit && now - lastClaim >= o.claimEveryMs) {
      lastClaim = now;
      const options = resolveSyncOptions({ workerId: ctx.workerId, signal: ctx.signal, leaseMs: o.leaseMs, budgetMs: o.budgetMs });
      const claimed = await claimPushMailboxes(ctx.db, { workerId: ctx.workerId, limit: Math.min(o.claimBatch, limit - sessions.size), leaseMs: o.leaseMs });
      for (const m of claimed) {
        const s = holdIdleSession(ctx.db, { mailboxId: m.id, profileId: m.profileId }, { ...o, options, gate });
        sessions.set(m.id, s);
        s.done
          .catch((err) => log("error", "push session crashed", { mailboxId: m.id, err }))
          .finally(() => {
            if (sessions.get(m.id) === s) sessions.delete(m.id);
          });
      }
      started = claimed.length;
      if (started > 0) log("info", "push sessions taken", { workerId: ctx.workerId, started, held: sessions.size, share: limit });
    }
    return started;
  };
  // On shutdown every session closes and its mailbox is free at once for another worker.
  step.drain = async () => {
    unsubscribe?.();
    const all = [...sessions.values()];
    for (const s of all) end(s, { state: "released", retryMs: 0, pollNow: false });
    await Promise.allSettled(all.map((s) => s.done));
  };
  return step;
}

/** The step registered in workers/loop.ts. */
export const holdPushSessions = createHoldPushSessionsStep();
