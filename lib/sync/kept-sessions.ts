import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import type { Db } from "../../db/client";
import { log } from "../log";
import type { MailboxConnection } from "../mailboxes/get-mailbox-connection";
import { releaseConnectionSlot } from "./connection-slots";
import { heldForPush } from "./push-sessions-sql";

/*
 * Kept connections between polls (issue 15): a polled IMAP mailbox's signed-in session stays
 * open after its sync, up to a per-worker cap, so its next poll is EXAMINE (and a SEARCH only
 * when the server's next UID moved) on that session instead of TCP, TLS, LOGIN and LOGOUT.
 *
 * A kept session is an open connection to the server, so it keeps its connection slot
 * (SPEC §1 maximum concurrent connections): the sync's outcome statement keeps the slot
 * instead of freeing it (lib/sync/record-sync-done.ts) — and only while few enough slots of
 * its budget are live: all of a mailbox's own budget, at most half of a profile's shared one,
 * so kept sessions never take what polls of other mailboxes need; what does not fit is
 * closed as before. The next poll of that mailbox needs no slot statement: the slot is its own.
 *
 * The pool renews its sessions' slots every `checkEveryMs` in one statement per worker (not
 * per sync), which also checks that each mailbox may still be polled by this worker; a session
 * closes, and its slot is freed, when:
 * - its settings or credentials changed (a fingerprint of what it signed in with, compared at
 *   every take, and a stamp of the stored settings compared at every check),
 * - its mailbox was disabled, its approval withdrawn, it left server-side sync or its profile,
 * - another worker leased the mailbox or polled it since (a later last sync time), or this worker holds it for push,
 * - the server closed it (BYE, a restart: the next poll connects afresh),
 * - the worker stops (closeAll), or its slot could not be renewed in time.
 * The worker checks at once when the database notifies a change to a kept mailbox or its profile.
 */

/** What a kept session signed in with: a change of any of it means a new session. */
export function sessionFingerprint(conn: MailboxConnection): string {
  const { incoming, profile, slotKey } = conn;
  return createHash("sha256")
    .update(JSON.stringify([incoming.protocol, incoming.host, incoming.port, incoming.tls, incoming.authMethod, incoming.credentials, profile.allowUnencrypted, slotKey, conn.ca?.toString("base64") ?? null]))
    .digest("base64");
}

export type KeptSession = {
  client: ImapFlow;
  fingerprint: string;
  profileId: string;
  slot: { key: string; slot: number; owner: string };
  /** The mailbox's last sync time as this session's sync wrote it (text): a later one means another worker polled it. */
  syncedAt: string | null;
};

type Entry = KeptSession & {
  /** The slot is surely ours until then (last renewal + ttl, less a margin). */
  slotUntil: number;
  /** md5 of the stored settings, as first seen by a check. */
  stamp?: string;
  keepalive?: NodeJS.Timeout;
  onClose: () => void;
};

export type KeptSessions = {
  /** The most sessions kept (MAILROOM_KEPT_CONNECTIONS). */
  readonly cap: number;
  /** How long a kept slot lasts without renewal (the sync lease: a crashed worker's slots expire like its syncs'). */
  readonly slotTtlMs: number;
  /** How many are kept now. */
  readonly size: number;
  /** Whether one more may be kept. */
  hasRoom(): boolean;
  /**
   * The kept session of `mailboxId` when it is still usable for `fingerprint` (and removes
   * it from the pool: the caller syncs on it, then keeps it again with put or closes it).
   * A session that is not (closed, other settings, slot not surely ours) is closed and its
   * slot freed.
   */
  take(mailboxId: string, fingerprint: string): Promise<KeptSession | undefined>;
  /** Keeps a session whose slot the outcome statement kept (renewed for slotTtlMs). */
  put(mailboxId: string, s: KeptSession): void;
  /** Closes the kept sessions of a mailbox or a profile at the next check (settings may have changed). */
  checkSoon(): void;
  /** Whether a session of this mailbox or profile is kept. */
  holds(e: { mailbox?: string; profile?: string }): boolean;
  /** Renews the kept slots and closes what may not stay (one statement, two when something closes). */
  check(): Promise<void>;
  /** Closes every kept session and frees their slots (shutdown). */
  closeAll(): Promise<void>;
};

export type KeptSessionsOptions = {
  db: Db;
  workerId: string;
  cap: number;
  slotTtlMs: number;
  /** How often the slots are renewed and the mailboxes checked. */
  checkEveryMs: number;
  /** A parked session sends a NOOP after this long without traffic (inside the socket timeout and the server's autologout). */
  keepaliveMs: number;
};

export function createKeptSessions(o: KeptSessionsOptions): KeptSessions {
  const kept = new Map<string, Entry>();
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  const margin = Math.min(o.checkEveryMs, o.slotTtlMs / 4);

  const free = (slots: Array<KeptSession["slot"]>) => {
    if (slots.length === 0) return Promise.resolve();
    return Promise.all(slots.map((s) => releaseConnectionSlot(o.db, s))).then(
      () => undefined,
      (err) => log("warn", "could not free a kept session's connection slot (it expires by itself)", { err }),
    );
  };
  const detach = (mailboxId: string): Entry | undefined => {
    const e = kept.get(mailboxId);
    if (!e) return undefined;
    kept.delete(mailboxId);
    clearTimeout(e.keepalive);
    e.client.off("close", e.onClose);
    if (kept.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    return e;
  };
  const drop = (mailboxId: string, why: string): KeptSession["slot"] | undefined => {
    const e = detach(mailboxId);
    if (!e) return undefined;
    log("debug", "kept IMAP session closed", { mailboxId, why, workerId: o.workerId });
    void e.client.logout().catch(() => {}).finally(() => e.client.close());
    return e.slot;
  };
  const armKeepalive = (mailboxId: string, e: Entry) => {
    e.keepalive = setTimeout(() => {
      if (kept.get(mailboxId) !== e) return;
      e.client.noop().then(
        () => kept.get(mailboxId) === e && armKeepalive(mailboxId, e),
        () => void free([drop(mailboxId, "keepalive failed")].filter((s) => s !== undefined)),
      );
    }, o.keepaliveMs);
    e.keepalive.unref();
  };

  const pool: KeptSessions = {
    cap: o.cap,
    slotTtlMs: o.slotTtlMs,
    get size() {
      return kept.size;
    },
    hasRoom: () => kept.size < o.cap,
    async take(mailboxId, fingerprint) {
      const e = kept.get(mailboxId);
      if (!e) return undefined;
      if (e.client.usable && e.fingerprint === fingerprint && Date.now() < e.slotUntil) {
        detach(mailboxId);
        return { client: e.client, fingerprint: e.fingerprint, profileId: e.profileId, slot: e.slot, syncedAt: e.syncedAt };
      }
      const why = !e.client.usable ? "closed by the server" : e.fingerprint !== fingerprint ? "settings changed" : "slot not renewed";
      const slot = drop(mailboxId, why);
      await free(slot ? [slot] : []);
      return undefined;
    },
    put(mailboxId, s) {
      const old = drop(mailboxId, "replaced");
      if (old && old.owner !== s.slot.owner) void free([old]);
      if (kept.size >= o.cap) {
        // Full meanwhile (syncs running side by side each saw room): closed as without a pool.
        void s.client.logout().catch(() => {}).finally(() => s.client.close());
        void free([s.slot]);
        return;
      }
      const e: Entry = {
        ...s,
        slotUntil: Date.now() + o.slotTtlMs - margin,
        // The server closed it (BYE, idle timeout, a restart): its slot is freed now, the next poll connects afresh.
        onClose: () => {
          if (kept.get(mailboxId) !== e) return;
          const slot = drop(mailboxId, "closed by the server");
          void free(slot ? [slot] : []);
        },
      };
      s.client.on("close", e.onClose);
      kept.set(mailboxId, e);
      armKeepalive(mailboxId, e);
      if (!timer) {
        timer = setInterval(() => void pool.check(), o.checkEveryMs);
        timer.unref();
      }
    },
    checkSoon() {
      if (soon || kept.size === 0) return;
      soon = setTimeout(() => {
        soon = undefined;
        void pool.check();
      }, 50);
      soon.unref();
    },
    holds(ev) {
      if (!ev.mailbox && !ev.profile) return kept.size > 0;
      for (const [id, e] of kept) if (id === ev.mailbox || e.profileId === ev.profile) return true;
      return false;
    },
    check() {
      checking ??= runCheck().finally(() => (checking = undefined));
      return checking;
    },
    async closeAll() {
      clearTimeout(soon);
      await checking?.catch(() => {});
      const slots = [...kept.keys()].map((id) => drop(id, "worker stopping")).filter((s) => s !== undefined);
      await free(slots);
    },
  };

  async function runCheck(): Promise<void> {
    if (kept.size === 0) return;
    const ids = [...kept.keys()];
    const startedAt = Date.now();
    let rows: Array<{ id: string; owner: string; stamp: string; synced_at: string | null }>;
    try {
      rows = await o.db.execute<{ id: string; owner: string; stamp: string; synced_at: string | null }>(sql`
        with ok as (
          select c.id, c.last_sync_at::text as synced_at,
                 md5(row(c.profile_id, c.user_name, c.password_sealed, c.email_address, p.incoming_protocol, p.incoming_host, p.incoming_port,
                         p.incoming_tls, p.incoming_auth_method, p.credential_mode, p.user_name, p.password_sealed, p.allow_unencrypted)::text) as stamp
            from mailboxes c join profiles p on p.id = c.profile_id
           where c.id = any(${`{${ids.join(",")}}`}::uuid[])
             and c.incoming_delivery = 'server_side_sync' and c.incoming_enabled
             and (c.approved_at is not null
                  or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))
             and (c.lease_owner is null or c.lease_expires_at < now() or (c.lease_owner = ${o.workerId} and not ${heldForPush("c")}))),
        renewed as (
          update connection_slots s set expires_at = now() + ${o.slotTtlMs} * interval '1 millisecond'
            from ok
           where s.owner = ${o.workerId} || '/' || ok.id::text
          returning ok.id, s.owner, ok.stamp, ok.synced_at)
        select id::text as id, owner, stamp, synced_at from renewed`);
    } catch (err) {
      log("warn", "could not renew the kept sessions' slots; they close when the slots may have expired", { workerId: o.workerId, err });
      return;
    }
    const ok = new Map(rows.map((r) => [r.id, r]));
    const closed: Array<KeptSession["slot"]> = [];
    for (const id of ids) {
      const e = kept.get(id);
      if (!e) continue; // taken by a sync meanwhile
      const r = ok.get(id);
      // Polled since by another worker (a later last sync time than the one this session's sync wrote): its session is that worker's now.
      const polledElsewhere = !!r && e.syncedAt !== null && r.synced_at !== e.syncedAt;
      if (r && r.owner === e.slot.owner && (e.stamp === undefined || e.stamp === r.stamp) && !polledElsewhere) {
        e.stamp = r.stamp;
        e.slotUntil = startedAt + o.slotTtlMs - margin;
        continue;
      }
      const slot = drop(id, polledElsewhere ? "polled by another worker" : r ? "settings changed" : "mailbox no longer polled here (disabled, not approved, leased elsewhere, or its slot expired)");
      if (slot) closed.push(slot);
    }
    await free(closed);
  }

  return pool;
}
