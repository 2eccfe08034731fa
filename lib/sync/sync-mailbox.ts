import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { log } from "../log";
import { mailboxConnectionOf, type MailboxConnection } from "../mailboxes/get-mailbox-connection";
import { classifyMailError, type ClassifiedError } from "../mail/errors";
import { acquireConnectionSlot, releaseConnectionSlot, renewConnectionSlot } from "./connection-slots";
import { incomingErrorContext, type ProtocolSyncContext, type ProtocolSyncResult } from "./protocol-sync";
import { recordSyncFailure, recordSyncSuccess, releaseForLater, type SyncAlertTarget } from "./record-sync-outcome";
import { recordSyncRun } from "./record-sync-run";
import { LeaseLostError } from "./store-messages";
import { syncImap } from "./sync-imap";
import type { SyncOptions } from "./sync-options";
import { syncPop3 } from "./sync-pop3";
import { updateSyncCursor } from "./update-sync-cursor";
import { circuitSignal, hostKey, recordHostAnswered, recordHostTimeout, releaseProbe } from "./host-circuit";
import { settingsError } from "../mail/settings-error";
import { resolveMailAuth } from "../credentials/resolve-mail-auth";
import { recheckRefusedToken } from "../credentials/recheck-refused-token";
import type { MailAuth } from "../credentials/mail-auth";
import { msg } from "../i18n/message";

export type SyncOutcome = {
  mailboxId: string;
  /**
   * synced: all due mail stored; partial: cut by the time budget (due again at once);
   * waiting: no free connection slot (due again shortly, not an error);
   * retrying / disabled: failed (see `error`); lease_lost: another worker took over.
   */
  result: "synced" | "partial" | "waiting" | "retrying" | "disabled" | "lease_lost";
  stored: number;
  error?: ClassifiedError;
};

/**
 * Runs one incoming sync of a mailbox this worker has claimed (claimDueMailboxes):
 * loads its effective settings, takes a connection slot of its budget, fetches
 * and stores what is due (IMAP or POP3), and records the outcome, next sync time
 * and alerts. The lease and slot are renewed while it runs; the sync stops at a
 * batch boundary once `options.budgetMs` is spent, and a connection still busy
 * halfway between the budget and the lease's end is cut. Never throws for mail or
 * settings problems: they become the outcome. A sync that ran is recorded for the
 * dashboard and /metrics (recordSyncRun).
 */
export async function syncMailbox(db: Db, mailboxId: string, options: SyncOptions): Promise<SyncOutcome> {
  const startedAt = new Date();
  const facts: RunFacts = {};
  const outcome = await syncClaimed(db, mailboxId, options, facts);
  await releaseProbe(db, `${options.workerId}/${mailboxId}`).catch((err) => log("warn", "could not release a circuit probe (it expires with the lease)", { mailboxId, err }));
  // A sync that waited for a slot or lost its lease did not run: nothing to draw or count.
  if (facts.protocol && (outcome.result !== "waiting" && outcome.result !== "lease_lost")) {
    await recordSyncRun(db, {
      mailboxId,
      profileId: facts.profileId ?? null,
      protocol: facts.protocol,
      workerId: options.workerId,
      result: outcome.result,
      errorCode: outcome.error?.code ?? null,
      stored: outcome.stored,
      dueAt: facts.dueAt ?? null,
      startedAt,
      finishedAt: new Date(),
    }).catch((err) => log("warn", "could not record the sync run (the dashboard misses it)", { mailboxId, err }));
  }
  return outcome;
}

/** What the dashboard records about a sync, learnt while it runs. */
type RunFacts = { protocol?: string; profileId?: string | null; dueAt?: Date | null };

async function syncClaimed(db: Db, mailboxId: string, options: SyncOptions, facts: RunFacts): Promise<SyncOutcome> {
  const started = Date.now();
  const [m] = await db
    .select()
    .from(mailboxes)
    .where(and(eq(mailboxes.id, mailboxId), eq(mailboxes.leaseOwner, options.workerId)));
  if (!m) return { mailboxId, result: "lease_lost", stored: 0 };
  Object.assign(facts, { protocol: "unknown", profileId: m.profileId, dueAt: m.nextSyncAt });

  let conn: MailboxConnection;
  const target: SyncAlertTarget = { mailbox: m, profileId: m.profileId ?? undefined, profileOwnerId: null };
  try {
    conn = await mailboxConnectionOf(db, m);
  } catch (err) {
    const error = settingsError(err);
    if (m.profileId) {
      const [p] = await db.select({ ownerId: profiles.ownerId }).from(profiles).where(eq(profiles.id, m.profileId));
      target.profileOwnerId = p?.ownerId ?? null;
    }
    log(error.kind === "permanent" ? "warn" : "error", "mailbox settings unusable", { mailboxId, code: error.code, err });
    const result = await recordSyncFailure(db, target, error, { intervalMs: options.intervalMs ?? 5 * 60_000, options });
    return { mailboxId, result, stored: 0, error };
  }
  target.profileOwnerId = conn.profile.ownerId;
  facts.protocol = conn.incoming.protocol;
  const intervalMs = options.intervalMs ?? conn.profile.minPollingIntervalMinutes * 60_000;
  const slotOwner = `${options.workerId}/${mailboxId}`;
  const slot = await acquireConnectionSlot(db, { key: conn.slotKey, max: conn.profile.maxConnections, owner: slotOwner, ttlMs: options.leaseMs });
  if (slot === null) {
    await releaseForLater(db, mailboxId, options.workerId, options.slotWaitMs);
    log("debug", "sync waits for a connection slot", { mailboxId, slotKey: conn.slotKey });
    return { mailboxId, result: "waiting", stored: 0 };
  }

  let closeConnection: (() => void) | undefined;
  let leaseLost = false;
  // The slot expired and another worker took it: syncing on would exceed the profile's budget.
  let slotLost = false;
  let cutAtDeadline = false;
  const renewEvery = Math.max(1_000, Math.min(60_000, Math.floor(options.leaseMs / 3)));
  const renewTimer = setInterval(() => {
    void (async () => {
      try {
        await updateSyncCursor(db, { mailboxId, workerId: options.workerId, leaseMs: options.leaseMs, set: {} });
        if (!(await renewConnectionSlot(db, { key: conn.slotKey, slot, owner: slotOwner, ttlMs: options.leaseMs }))) {
          slotLost = true;
          closeConnection?.();
        }
      } catch (err) {
        if (err instanceof LeaseLostError) {
          leaseLost = true;
          closeConnection?.();
        }
      }
    })();
  }, renewEvery);
  const hardCutMs = options.budgetMs + Math.max(0, options.leaseMs - options.budgetMs) / 2;
  const hardCut = setTimeout(() => {
    cutAtDeadline = true;
    closeConnection?.();
  }, hardCutMs);
  let auth: MailAuth | undefined;
  const ctx: Omit<ProtocolSyncContext, "auth"> = {
    db,
    mailbox: m,
    conn,
    options,
    shouldStop: (next) => leaseLost || slotLost || !!options.signal?.aborted || (next > 0 && Date.now() - started >= options.budgetMs),
    onConnection: (close) => (closeConnection = close),
    messageAlertRecipients: [m.ownerId],
  };
  const where = { mailboxId, protocol: conn.incoming.protocol, host: conn.incoming.host, port: conn.incoming.port, workerId: options.workerId };
  // The server's circuit (shared by all workers) learns whether it answered; a lost update only delays it.
  const host = hostKey(conn.incoming.host, conn.incoming.port);
  const tellCircuit = (signal: "timeout" | "answered" | "none") =>
    (signal === "timeout" ? recordHostTimeout(db, { host, probeOwner: slotOwner, options }) : signal === "answered" ? recordHostAnswered(db, host) : Promise.resolve()).catch(
      (err) => log("warn", "could not update the server's circuit", { ...where, err }),
    );
  // What it stored is committed with its cursor; it comes back when a slot is free, like a sync that found none.
  const waitForSlot = async (stored: number): Promise<SyncOutcome> => {
    await releaseForLater(db, mailboxId, options.workerId, options.slotWaitMs);
    log("warn", "sync lost its connection slot; stopped to stay within the connection budget", { ...where, stored });
    return { mailboxId, result: "waiting", stored };
  };
  try {
    let result: ProtocolSyncResult;
    try {
      // The sign-in is resolved now, right before connecting: an OAuth token is fresh for this session.
      auth = await resolveMailAuth(db, conn.incoming.credentials);
      result = conn.incoming.protocol === "imap" ? await syncImap({ ...ctx, auth }) : await syncPop3({ ...ctx, auth });
    } catch (err) {
      if (err instanceof LeaseLostError || leaseLost) {
        log("warn", "sync lost its lease", { ...where });
        return { mailboxId, result: "lease_lost", stored: 0 };
      }
      if (slotLost) return await waitForSlot(0);
      const errorCtx = incomingErrorContext(conn, auth);
      const error = cutAtDeadline ? timeoutError(conn, hardCutMs) : await recheckRefusedToken(db, conn.incoming.credentials, classifyMailError(err, errorCtx), errorCtx);
      const decided = await recordSyncFailure(db, target, error, { intervalMs, options });
      await tellCircuit(circuitSignal({ ok: false, error, cutAtDeadline }));
      log("warn", "sync failed", { ...where, kind: error.kind, code: error.code, detail: error.detail, failures: m.consecutiveFailures + 1, decided });
      return { mailboxId, result: decided, stored: 0, error };
    }
    if (leaseLost) return { mailboxId, result: "lease_lost", stored: result.stored };
    if (slotLost) return await waitForSlot(result.stored);
    await recordSyncSuccess(db, target, { complete: result.complete, intervalMs, options });
    await tellCircuit("answered");
    log("info", "sync done", { ...where, stored: result.stored, complete: result.complete, ms: Date.now() - started });
    return { mailboxId, result: result.complete ? "synced" : "partial", stored: result.stored };
  } finally {
    clearInterval(renewTimer);
    clearTimeout(hardCut);
    await releaseConnectionSlot(db, { key: conn.slotKey, slot, owner: slotOwner }).catch((err) =>
      log("warn", "could not release a connection slot (it expires by itself)", { mailboxId, err }),
    );
  }
}


function timeoutError(conn: MailboxConnection, ms: number): ClassifiedError {
  const where = `${conn.incoming.host}:${conn.incoming.port}`;
  return {
    kind: "transient",
    code: "timeout",
    field: null,
    form: null,
    message: msg("mailError.syncCutOff", { host: conn.incoming.host, port: conn.incoming.port, seconds: Math.round(ms / 1000) }),
    detail: `${conn.incoming.protocol.toUpperCase()} ${where}: sync exceeded its time budget`,
  };
}
