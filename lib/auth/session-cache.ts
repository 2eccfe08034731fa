import crypto from "node:crypto";

/** What a session cookie says once decrypted: whose it is, under which session version, until when. */
export type DecodedSession = { userId: string; sessionVersion: number; expiresAtMs: number };

/**
 * A per-process memo of decrypted session cookies. Decrypting next-auth's JWE (key
 * derivation and AES) cost about 1 ms per request; the same cookie comes back on every
 * page view. Only the decoding is kept: the caller still compares the session version
 * with the user's row on every request, so ending sessions (lib/users/end-user-sessions.ts)
 * takes effect at once. An entry never outlives its token's expiry, nor `ttlMs`. Keys are
 * SHA-256 hashes of the cookie, so the memo holds no usable token.
 */
export function createSessionCache(opts: { ttlMs: number; maxEntries: number }) {
  const entries = new Map<string, { session: DecodedSession; until: number }>();
  const keyOf = (cookie: string) => crypto.createHash("sha256").update(cookie).digest("base64url");
  return {
    get(cookie: string, now = Date.now()): DecodedSession | null {
      const key = keyOf(cookie);
      const hit = entries.get(key);
      if (!hit) return null;
      if (hit.until <= now) {
        entries.delete(key);
        return null;
      }
      return hit.session;
    },
    set(cookie: string, session: DecodedSession, now = Date.now()): void {
      const until = Math.min(session.expiresAtMs, now + opts.ttlMs);
      if (until <= now) return;
      const key = keyOf(cookie);
      entries.delete(key);
      // Oldest first out: Map keeps insertion order.
      while (entries.size >= opts.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { session, until });
    },
    get size() {
      return entries.size;
    },
  };
}
