import { cache } from "react";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { can, type Actor } from "@/lib/auth/actor";
import { createSessionCache, type DecodedSession } from "@/lib/auth/session-cache";
import type { Privilege } from "@/lib/auth/privileges";
import { loadActor } from "@/lib/users/load-actor";
import { auth, type SessionWithVersion } from "./auth";
import { getDb } from "./db";

/**
 * The signed-in actor for this request, read fresh from the database (null when
 * signed out, or when the session was ended since it was issued: a token without a
 * session version predates session versions and counts as ended).
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  const decoded = await decodeSession();
  return decoded ? loadActor(getDb(), decoded.userId, decoded.sessionVersion) : null;
});

// Decoded cookies, per process: the decoding only, never the verdict (see createSessionCache).
const decodedSessions = createSessionCache({ ttlMs: 5 * 60_000, maxEntries: 10_000 });

/** The session cookie's user and session version: from the memo, else decrypted by next-auth. */
async function decodeSession(): Promise<DecodedSession | null> {
  // next-auth's cookie, possibly split in chunks (.0, .1…), with or without the __Secure- prefix.
  const parts = (await cookies())
    .getAll()
    .filter((c) => /(^|-)authjs\.session-token(\.\d+)?$/.test(c.name))
    .map((c) => `${c.name}=${c.value}`)
    .sort();
  if (parts.length === 0) return null;
  const cookie = parts.join(";");
  const known = decodedSessions.get(cookie);
  if (known) return known;
  const session = (await auth()) as SessionWithVersion | null;
  const userId = session?.user?.id;
  const sessionVersion = session?.sessionVersion;
  if (!userId || typeof sessionVersion !== "number") return null;
  const decoded = { userId, sessionVersion, expiresAtMs: (session?.tokenExpiresAt ?? 0) * 1000 };
  decodedSessions.set(cookie, decoded);
  return decoded;
}

/**
 * For protected pages: sends a signed-out visitor to sign in, and renders the 403
 * page when the actor lacks `privilege`. Returns the actor.
 */
export async function requireActor(privilege?: Privilege): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/sign-in");
  if (privilege && !can(actor, privilege)) forbidden();
  return actor;
}
