import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import type { Actor } from "../auth/actor";
import { hashPassword, verifyPassword } from "../auth/passwords";
import { clearFailures, recordFailure, secondsUntilAllowed } from "../auth/sign-in-throttle";

export type SignInResult = { ok: true; actor: Actor } | { ok: false; reason: "wrong" } | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

// Compared against when the email is unknown, so both cases take the same time.
let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password for sign-in. Failures say only "wrong" (never which
 * part), and failures are counted per client address and per account: past the
 * limit, further attempts are refused without checking the password.
 */
export async function verifyCredentials(db: Db, input: { email: string; password: string; ip: string }): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const keys = [`ip:${input.ip}`, `email:${email}`];
  const wait = await secondsUntilAllowed(db, keys);
  if (wait > 0) return { ok: false, reason: "rate_limited", retryAfterSeconds: wait };

  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  dummyHash ??= hashPassword("not-a-real-password-for-timing");
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash));
  if (!user || !ok || !user.active) {
    await recordFailure(db, keys);
    return { ok: false, reason: "wrong" };
  }
  await clearFailures(db, `email:${email}`);
  return { ok: true, actor: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
