import { cache } from "react";
import { forbidden, redirect } from "next/navigation";
import { can, type Actor } from "@/lib/auth/actor";
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
  const session = (await auth()) as SessionWithVersion | null;
  const id = session?.user?.id;
  const version = session?.sessionVersion;
  return id && typeof version === "number" ? loadActor(getDb(), id, version) : null;
});

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
