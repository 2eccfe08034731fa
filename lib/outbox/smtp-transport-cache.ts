import crypto from "node:crypto";
import type { Db } from "../../db/client";
import { log } from "../log";
import { createSmtpTransport, type SmtpSettings } from "../mail/create-smtp-transport";
import { holdSmtpSlots, type HeldSmtpSlots } from "./hold-smtp-slots";

type Transport = ReturnType<typeof createSmtpTransport>;

/** A pooled SMTP transport lent out for one pass; give it back with `cache.giveBack`. */
export type PooledSmtp = { transport: Transport; sessions: number; key: string };

type Entry = PooledSmtp & {
  slotKey: string;
  held: HeldSmtpSlots;
  users: number;
  broken: boolean;
  renewTimer: NodeJS.Timeout;
  idleTimer: NodeJS.Timeout | null;
};

/** Pooled SMTP transports kept open across outbox passes; `closeAll()` on shutdown. */
export type SmtpTransportCache = {
  /**
   * A pool for `settings` whose sessions fit the connection slots it holds (up to `want`
   * of the budget `slotKey`, at most `max`), reusing the open one when the settings and
   * credentials are unchanged; null when no slot is free.
   */
  take: (input: { slotKey: string; max: number; want: number; settings: SmtpSettings }) => Promise<PooledSmtp | null>;
  /** Ends a pass's use; `broken` (authentication failed, server unreachable) closes the pool at once. */
  giveBack: (pooled: PooledSmtp, broken?: boolean) => Promise<void>;
  /** Closes every pool and releases its slots (worker shutdown, or the end of a one-off pass). */
  closeAll: () => Promise<void>;
};

/** What identifies a pool: any change of server, TLS, authentication, credentials, CA or timeouts opens a new one. */
function fingerprint(s: SmtpSettings): string {
  const ca = s.ca === undefined ? [] : Array.isArray(s.ca) ? s.ca : [s.ca];
  const h = crypto.createHash("sha256");
  for (const part of [s.host, String(s.port), String(s.tls), String(s.allowUnencrypted === true), s.authMethod, s.auth.user, "pass" in s.auth ? `p:${s.auth.pass}` : `t:${s.auth.accessToken}`, String(s.timeoutMs), ...ca.map(String)]) h.update(part).update("\0");
  return h.digest("hex");
}

/**
 * A per-process cache of pooled SMTP transports, so consecutive passes of the
 * outbox reuse open sessions instead of paying the greeting, TLS handshake and
 * AUTH again for every batch. Each pool holds exactly as many connection slots
 * (lib/outbox/hold-smtp-slots.ts) as it may open sessions: the slots are renewed
 * while the pool is open and released when it closes — after `idleMs` unused,
 * when the settings or credentials change, when a pass reports it broken, or on
 * `closeAll()`. Owners are `<owner>/outbox/<slotKey>`.
 */
export function createSmtpTransportCache(db: Db, o: { owner: string; leaseMs: number; idleMs?: number }): SmtpTransportCache {
  // Long enough to bridge the worker loop's pauses between passes; short enough that slots held by an idle pool soon go back to other workers.
  const idleMs = o.idleMs ?? 10_000;
  const entries = new Map<string, Entry>();
  const opening = new Map<string, Promise<Entry | null>>();

  const close = async (e: Entry) => {
    if (entries.get(e.key) === e) entries.delete(e.key);
    clearInterval(e.renewTimer);
    if (e.idleTimer) clearTimeout(e.idleTimer);
    e.transport.close();
    await e.held.release();
  };

  const open = async (input: { slotKey: string; max: number; want: number; settings: SmtpSettings }, key: string): Promise<Entry | null> => {
    // Other settings for the same budget: the old pool is stale, its slots go back first.
    await Promise.all([...entries.values()].filter((e) => e.slotKey === input.slotKey && e.key !== key && e.users === 0).map(close));
    const held = await holdSmtpSlots(db, { slotKey: input.slotKey, max: input.max, want: input.want, owner: `${o.owner}/outbox/${input.slotKey}`, ttlMs: o.leaseMs });
    if (held.count === 0) return null;
    const transport = createSmtpTransport(input.settings, { maxConnections: held.count });
    const renewTimer = setInterval(() => void held.renew().catch(() => {}), Math.max(1_000, Math.floor(o.leaseMs / 3)));
    renewTimer.unref();
    const e: Entry = { key, slotKey: input.slotKey, transport, sessions: held.count, held, users: 0, broken: false, renewTimer, idleTimer: null };
    entries.set(key, e);
    return e;
  };

  return {
    async take(input) {
      const key = `${input.slotKey}\0${fingerprint(input.settings)}`;
      let e: Entry | null | undefined = entries.get(key);
      if (!e) {
        let p = opening.get(key);
        if (!p) {
          p = open(input, key).finally(() => opening.delete(key));
          opening.set(key, p);
        }
        e = await p;
        if (!e) return null;
      } else if (e.held.count < Math.min(input.want, input.max)) {
        // More mail than sessions: take more slots if the budget has them, and let the pool open as many.
        const n = await e.held.grow(Math.min(input.want, input.max));
        (e.transport.transporter as unknown as { options: { maxConnections: number } }).options.maxConnections = n;
        e.sessions = n;
      }
      if (e.idleTimer) clearTimeout(e.idleTimer);
      e.idleTimer = null;
      e.users++;
      return e;
    },
    async giveBack(pooled, broken = false) {
      const e = pooled as Entry;
      e.users--;
      if (broken) e.broken = true;
      if (e.users > 0) return;
      if (e.broken || entries.get(e.key) !== e) {
        await close(e);
        return;
      }
      e.idleTimer = setTimeout(() => void close(e).catch((err) => log("warn", "could not close an idle SMTP pool", { err })), idleMs);
      e.idleTimer.unref();
    },
    async closeAll() {
      await Promise.all([...opening.values()]);
      await Promise.all([...entries.values()].map(close));
    },
  };
}
