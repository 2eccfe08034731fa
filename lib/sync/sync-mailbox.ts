import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { log } from "../log";
import { mailboxConnectionOf, type MailboxConnection } from "../mailboxes/get-mailbox-connection";
import { classifyMailError, type ClassifiedError } from "../mail/errors";
import { acquireConnectionSlot, releaseConnectionSlot, renewConnectionSlot } from "./connection-slots";
import { incomingErrorContext, incomingSession, type ProtocolSyncContext, type ProtocolSyncResult } from "./protocol-sync";
import { raiseSyncRecovered, recordSyncFailure, releaseForLater, type SyncAlertTarget } from "./record-sync-outcome";
import { recordSyncRun } from "./record-sync-run";
import { LeaseLostError } from "./store-messages";
import { syncImapSession } from "./sync-imap";
import type { ImapFlow } from "imapflow";
import { connectImap } from "../mail/connect-imap";
import type { ClaimedMailbox } from "./claim-due-mailboxes";
import { sessionFingerprint } from "./kept-sessions";
import { recordSyncDone } from "./record-sync-done";
import type { SyncOptions } from "./sync-options";
import { syncPop3 } from "./sync-pop3";
import { updateSyncCursor } from "./update-sync-cursor";
import { circuitSignal, hostCircuitClosed, hostKey, recordHostAnswered, recordHostTimeout, releaseProbe } from "./host-circuit";
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
export async function syncMailbox(db: Db, claimed: string | ClaimedMailbox, options: SyncOptions): Promise<SyncOutcome> {
  const mailboxId = typeof claimed === "string" ? claimed : claimed.mailbox.id;
  const startedAt = new Date();
  const facts: RunFacts = {};
  const outcome = await syncClaimed(db, claimed, options, facts, startedAt);
  // A claim that was no probe has none to release (the claim says); a sync that recorded its success closed the circuit with it.
  if (!facts.recorded && (typeof claimed === "string" || claimed.probe)) {
    await releaseProbe(db, `${options.workerId}/${mailboxId}`).catch((err) => log("warn", "could not release a circuit probe (it expires with the lease)", { mailboxId, err }));
  }
  // A sync that waited for a slot or lost its lease did not run: nothing to draw or count.
  if (!facts.recorded && facts.protocol && (outcome.result !== "waiting" && outcome.result !== "lease_lost")) {
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

/** What the dashboard records about a sync, learnt while it runs; `recorded`: the success statement recorded the run already. */
type RunFacts = { protocol?: string; profileId?: string | null; dueAt?: Date | null; recorded?: boolean };

async function syncClaimed(db: Db, claimed: string | ClaimedMailbox, options: SyncOptions, facts: RunFacts, startedAt: Date): Promise<SyncOutcome> {
  const started = Date.now();
  const mailboxId = typeof claimed === "string" ? claimed : claimed.mailbox.id;
  // The claim returned the row (and its profile); called with an id, it is read here.
  const [m] =
    typeof claimed === "string"
      ? await db.select().from(mailboxes).where(and(eq(mailboxes.id, mailboxId), eq(mailboxes.leaseOwner, options.workerId)))
      : [claimed.mailbox];
  if (!m) return { mailboxId, result: "lease_lost", stored: 0 };
  Object.assign(facts, { protocol: "unknown", profileId: m.profileId, dueAt: m.nextSyncAt });

  let conn: MailboxConnection;
  const target: SyncAlertTarget = { mailbox: m, profileId: m.profileId ?? undefined, profileOwnerId: null };
  try {
    conn = await mailboxConnectionOf(db, m, typeof claimed === "string" ? undefined : claimed.profile);
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
  // A session kept since the last poll holds its slot already (lib/sync/kept-sessions.ts).
  const pool = conn.incoming.protocol === "imap" ? options.kept : undefined;
  const fingerprint = pool ? sessionFingerprint(conn) : "";
  let kept = pool ? await pool.take(mailboxId, fingerprint) : undefined;
  if (kept && kept.slot.key !== conn.slotKey) {
    kept.client.close();
    await releaseConnectionSlot(db, kept.slot).catch(() => {});
    kept = undefined;
  }
  const slot = kept ? kept.slot.slot : await acquireConnectionSlot(db, { key: conn.slotKey, max: conn.profile.maxConnections, owner: slotOwner, ttlMs: options.leaseMs });
  if (slot === null) {
    await releaseForLater(db, mailboxId, options.workerId, options.slotWaitMs);
    log("debug", "sync waits for a connection slot", { mailboxId, slotKey: conn.slotKey });
    return { mailboxId, result: "waiting", stored: 0 };
  }

  let closeConnection: (() => void) | undefined;
  // The session to keep for the next poll, when the sync ends well on it.
  let open: ImapFlow | undefined;
  let slotFreed = false;
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
    afterFetchPending: typeof claimed === "string" ? undefined : claimed.afterFetchPending,
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
      if (conn.incoming.protocol === "imap") {
        const r = await syncImapKeeping(ctx, kept?.client, async () => (auth = await resolveMailAuth(db, conn.incoming.credentials)));
        open = r.client;
        result = r.result;
      } else {
        auth = await resolveMailAuth(db, conn.incoming.credentials);
        result = await syncPop3({ ...ctx, auth });
      }
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
    clearInterval(renewTimer);
    clearTimeout(hardCut);
    const outcome: SyncOutcome = { mailboxId, result: result.complete ? "synced" : "partial", stored: result.stored };
    // Kept for the next poll: a complete sync on a usable session, while the pool has room and the budget allows (the statement decides).
    const keep = open?.usable && result.complete && !cutAtDeadline && pool?.hasRoom() ? { ttlMs: pool.slotTtlMs, limit: keptSlotLimit(conn) } : undefined;
    const done = {
      mailboxId,
      workerId: options.workerId,
      complete: result.complete,
      intervalMs,
      cursor: result.cursor,
      run: { profileId: m.profileId, protocol: conn.incoming.protocol, result: outcome.result, errorCode: null, stored: result.stored, dueAt: m.nextSyncAt, startedAt, finishedAt: new Date() },
      slot: { key: conn.slotKey, slot, owner: slotOwner },
      keep,
      host,
    };
    // The outcome, cursor, run, slot and circuit in one statement; after failures, with the "syncing again" alert in one transaction.
    const recorded =
      m.consecutiveFailures >= options.warnAfterFailures
        ? await db.transaction(async (tx) => {
            const r = await recordSyncDone(tx, done);
            if (r.ours) await raiseSyncRecovered(tx, target);
            return r;
          })
        : await recordSyncDone(db, done);
    slotFreed = true;
    facts.recorded = recorded.ours;
    if (!recorded.ours) {
      log("warn", "sync lost its lease", { ...where });
      return { mailboxId, result: "lease_lost", stored: result.stored };
    }
    if (recorded.trips > 0) await hostCircuitClosed(db, host).catch((err) => log("warn", "could not tell the profile owners their server answers again", { ...where, err }));
    if (recorded.kept && open && pool) {
      pool.put(mailboxId, { client: open, fingerprint, profileId: conn.profile.profileId, slot: { key: conn.slotKey, slot, owner: slotOwner }, syncedAt: recorded.syncedAt });
      open = undefined;
    }
    log("info", "sync done", { ...where, stored: result.stored, complete: result.complete, kept: recorded.kept, reused: !!kept, ms: Date.now() - started });
    return outcome;
  } finally {
    clearInterval(renewTimer);
    clearTimeout(hardCut);
    if (open) {
      const client = open;
      void client.logout().catch(() => {}).finally(() => client.close());
    }
    if (!slotFreed) {
      await releaseConnectionSlot(db, { key: conn.slotKey, slot, owner: slotOwner }).catch((err) =>
        log("warn", "could not release a connection slot (it expires by itself)", { mailboxId, err }),
      );
    }
  }
}

/**
 * How many live slots of a budget may remain with a kept session among them: a mailbox's own
 * budget less one (its push session or another worker's poll may need one); at most half of a
 * profile's shared one (rounded down), so sessions kept for a few mailboxes never take the
 * connections the others' polls need. A budget of one is never kept.
 */
function keptSlotLimit(conn: MailboxConnection): number {
  return conn.slotKey.startsWith("mailbox:") ? conn.profile.maxConnections - 1 : Math.floor(conn.profile.maxConnections / 2);
}

/**
 * syncImapSession on the session kept since the last poll when there is one, else on a new one
 * (signing in with `signIn`'s credentials). A kept session that fails before it stored
 * anything (the server closed it unseen, a restart) is dropped and the sync runs again on a
 * new session, as a poll without a kept one would. Returns the session, still open, for the
 * caller to keep or close.
 */
async function syncImapKeeping(
  ctx: Omit<ProtocolSyncContext, "auth">,
  keptClient: ImapFlow | undefined,
  signIn: () => Promise<MailAuth>,
): Promise<{ client: ImapFlow; result: ProtocolSyncResult }> {
  if (keptClient) {
    ctx.onConnection(() => keptClient.close());
    try {
      return { client: keptClient, result: await syncImapSession(keptClient, ctx) };
    } catch (err) {
      keptClient.close();
      if (err instanceof LeaseLostError) throw err;
      log("info", "kept IMAP session failed; syncing on a new one", { mailboxId: ctx.mailbox.id, err: err instanceof Error ? err.message : String(err) });
    }
  }
  const auth = await signIn();
  const client = await connectImap(incomingSession(ctx.conn, auth, ctx.options));
  ctx.onConnection(() => client.close());
  try {
    return { client, result: await syncImapSession(client, ctx) };
  } catch (err) {
    client.close();
    throw err;
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
