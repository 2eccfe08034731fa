import { and, eq } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { resolveMailAuth } from "../credentials/resolve-mail-auth";
import type { MailAuth } from "../credentials/mail-auth";
import { log } from "../log";
import { connectImap } from "../mail/connect-imap";
import { classifyMailError } from "../mail/errors";
import { mailboxConnectionOf, type MailboxConnection } from "../mailboxes/get-mailbox-connection";
import { acquireConnectionSlot, releaseConnectionSlot } from "./connection-slots";
import { incomingErrorContext, incomingSession } from "./protocol-sync";
import { markPushConnected, markPushReconnecting, releaseHeldMailbox } from "./push-sessions-sql";
import { LeaseLostError } from "./store-messages";
import { syncHeldFolders, syncHeldMailbox } from "./sync-held-mailbox";
import type { SyncOptions } from "./sync-options";

/** Why a held session ended: the mailbox goes back to polling with this push state. */
export type SessionEnd = {
  /** Shown on the mailbox page: why it polls (no_slot, failed, released, stopped, settings_changed, …). */
  state: string;
  /** Not held again before this long from now (0: any worker may hold it at once). */
  retryMs: number;
  /** Due for a poll at once (new settings, "Sync now", an error the poll should report). */
  pollNow: boolean;
};

export type HeldSession = {
  mailboxId: string;
  profileId: string;
  /** The connection slot's owner (renewed with the lease by renewHeldSessions). */
  slotOwner: string;
  /** Since when the session is signed in and idling (undefined while connecting). */
  connectedSince(): Date | undefined;
  /** Ends the session; the mailbox is given back to polling as `end` says (the first close wins). */
  close(end: SessionEnd): void;
  /** Settles once the session ended and the mailbox and its slot were given back. */
  done: Promise<void>;
};

export type HoldOptions = {
  /** The lease of the mailbox and slot (renewed by the worker for all sessions at once). */
  options: SyncOptions;
  /** Where IDLE is not offered, a NOOP this often asks for news. */
  noopEveryMs: number;
  /** Reconnect delay: base × 2^(n−1), capped, jittered ×0.5–1.5 so sessions cut together do not come back together. */
  reconnectBaseMs: number;
  reconnectCapMs: number;
  /** Reconnects in a row before the mailbox is given back to polling (which reports the error). */
  maxReconnects: number;
  /** Limits how many sessions of the process sign in at once (TLS and LOGIN cost CPU here and on the server). */
  gate: Gate;
};

/** A counting semaphore. */
export type Gate = { run<T>(fn: () => Promise<T>): Promise<T> };

/** A gate letting `n` through at once. */
export function createGate(n: number): Gate {
  let active = 0;
  const queue: Array<() => void> = [];
  return {
    async run(fn) {
      if (active >= n) await new Promise<void>((r) => queue.push(r));
      active++;
      try {
        return await fn();
      } finally {
        active--;
        queue.shift()?.();
      }
    },
  };
}

const NO_SLOT_RETRY_MS = 30_000;
const FAILED_RETRY_MS = 5 * 60_000;

/**
 * Holds a mailbox's IMAP session open for push (RFC 2177 IDLE on INBOX, or a NOOP every
 * `noopEveryMs` where the server offers no IDLE) for a worker that has leased it
 * (claimPushMailboxes). It takes a connection slot of the mailbox's budget — leaving one
 * for polling when the budget is the profile's, shared with other mailboxes — and on
 * every (re)connect and every new message announced (EXISTS) it syncs on the same
 * session through the exactly-once polling path, so the UID cursor catches up whatever
 * arrived while it was away. A lost connection (BYE, a server restart) is reconnected
 * after a jittered, growing delay; a refused sign-in or unusable settings, or too many
 * reconnects in a row, give the mailbox back to polling, which reports the error.
 */
export function holdIdleSession(db: Db, input: { mailboxId: string; profileId: string }, o: HoldOptions): HeldSession {
  const { options } = o;
  const { mailboxId } = input;
  const slotOwner = `${options.workerId}/${mailboxId}`;
  let end: SessionEnd | undefined;
  let client: ImapFlow | undefined;
  let connectedAt: Date | undefined;
  let syncWanted = false;
  let announcedAt: Date | null = null;
  let wake: (() => void) | undefined;
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      wake = done;
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
    });

  async function run(): Promise<void> {
    let slot: { key: string; slot: number } | undefined;
    let lost = false;
    let failures = 0;
    try {
      while (!end) {
        let conn: MailboxConnection | undefined;
        let auth: MailAuth | undefined;
        try {
          const [m] = await db.select().from(mailboxes).where(and(eq(mailboxes.id, mailboxId), eq(mailboxes.leaseOwner, options.workerId)));
          if (!m) throw new LeaseLostError(mailboxId);
          conn = await mailboxConnectionOf(db, m);
          if (!slot) {
            // A profile's shared budget keeps one connection for polling; a mailbox's own budget is all its own.
            const max = conn.slotKey.startsWith("mailbox:") ? conn.profile.maxConnections : conn.profile.maxConnections - 1;
            const got = max >= 1 ? await acquireConnectionSlot(db, { key: conn.slotKey, max, owner: slotOwner, ttlMs: options.leaseMs }) : null;
            if (got === null) {
              end ??= { state: "no_slot", retryMs: NO_SLOT_RETRY_MS, pollNow: false };
              break;
            }
            slot = { key: conn.slotKey, slot: got };
          }
          const c = conn;
          // IDLE watches INBOX; folders chosen besides it are synced once per polling interval on this session
          // (a changed choice moves next_sync_at, whose NOTIFY ends the session, so this is read afresh).
          const hasFolders = m.imapFolders.length > 0;
          const folderEveryMs = options.intervalMs ?? c.profile.minPollingIntervalMinutes * 60_000;
          let foldersDueAt = 0;
          auth = await resolveMailAuth(db, c.incoming.credentials);
          const a = auth;
          client = await o.gate.run(() => connectImap({ ...incomingSession(c, a, options), held: true }));
          if (end) break;
          const session = client;
          session.on("exists", (info: { path: string; count: number; prevCount: number }) => {
            // Not news from a chosen folder while it is selected for its sync.
            if (info.count <= info.prevCount || info.path !== "INBOX") return;
            announcedAt ??= new Date();
            syncWanted = true;
            wake?.();
            // Breaks the IDLE (a command ends it), so the loop below syncs at once.
            session.noop().catch(() => {});
          });
          session.on("close", () => wake?.());
          let idle = session.capabilities.has("IDLE");
          await session.mailboxOpen("INBOX", { readOnly: true });
          await markPushConnected(db, { mailboxId, workerId: options.workerId, state: idle ? "idle" : "noop" });
          connectedAt = new Date();
          failures = 0;
          // Whatever arrived while no session was open (the cursor catches up).
          syncWanted = true;
          while (!end && session.usable) {
            if (syncWanted) {
              syncWanted = false;
              const dueAt = announcedAt;
              announcedAt = null;
              const r = await syncHeldMailbox(db, session, { mailboxId, conn: c, options, dueAt });
              if (!r.complete) syncWanted = true;
              continue;
            }
            if (hasFolders && Date.now() >= foldersDueAt) {
              const r = await syncHeldFolders(db, session, { mailboxId, conn: c, options });
              foldersDueAt = r.complete ? Date.now() + folderEveryMs : 0;
              continue;
            }
            if (idle) {
              // Breaks the IDLE when the folders are due (a command ends it).
              const folderTimer = hasFolders ? setTimeout(() => session.noop().catch(() => {}), Math.max(0, foldersDueAt - Date.now())) : undefined;
              try {
                // false: the server refused IDLE after all; ask with NOOPs instead.
                if ((await session.idle()) === false && session.usable) idle = false;
              } finally {
                clearTimeout(folderTimer);
              }
            } else {
              await nap(hasFolders ? Math.max(0, Math.min(o.noopEveryMs, foldersDueAt - Date.now())) : o.noopEveryMs);
              if (!end && !syncWanted && session.usable) await session.noop();
            }
          }
        } catch (err) {
          if (err instanceof LeaseLostError) {
            lost = true;
            break;
          }
          if (end) break;
          if (!conn) {
            // Settings unusable (no profile, no password): polling reports it.
            end = { state: "failed", retryMs: FAILED_RETRY_MS, pollNow: true };
            break;
          }
          const error = classifyMailError(err, incomingErrorContext(conn, auth));
          log("warn", "push session failed", { mailboxId, workerId: options.workerId, kind: error.kind, code: error.code, detail: error.detail, failures: failures + 1 });
          if (error.kind === "permanent") {
            end = { state: "failed", retryMs: FAILED_RETRY_MS, pollNow: true };
            break;
          }
        } finally {
          client?.close();
          client = undefined;
          connectedAt = undefined;
        }
        if (end) break;
        failures++;
        if (failures > o.maxReconnects) {
          end = { state: "failed", retryMs: FAILED_RETRY_MS, pollNow: true };
          break;
        }
        await markPushReconnecting(db, { mailboxId, workerId: options.workerId });
        const base = Math.min(o.reconnectCapMs, o.reconnectBaseMs * 2 ** (failures - 1));
        await nap(Math.round(base * (0.5 + options.random())));
      }
    } catch (err) {
      log("error", "push session crashed; the mailbox goes back to polling", { mailboxId, workerId: options.workerId, err });
      end ??= { state: "failed", retryMs: FAILED_RETRY_MS, pollNow: true };
    } finally {
      if (!lost) {
        await releaseHeldMailbox(db, { mailboxId, workerId: options.workerId, ...(end ?? { state: "released", retryMs: 0, pollNow: false }) }).catch((err) =>
          log("warn", "could not give a held mailbox back (its lease expires by itself)", { mailboxId, err }),
        );
      }
      if (slot) {
        await releaseConnectionSlot(db, { ...slot, owner: slotOwner }).catch((err) => log("warn", "could not release a connection slot (it expires by itself)", { mailboxId, err }));
      }
    }
  }

  return {
    mailboxId,
    profileId: input.profileId,
    slotOwner,
    connectedSince: () => connectedAt,
    close(e) {
      end ??= e;
      wake?.();
      client?.close();
    },
    done: run(),
  };
}
