import { setTimeout as sleep } from "node:timers/promises";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema/users";
import type { Actor } from "../auth/actor";
import { hashPassword, verifyPassword } from "../auth/passwords";
import { checkSignInThrottle, clearSignInFailures, recordSignInFailure } from "../auth/sign-in-throttle";

export type SignInResult =
  | { ok: true; actor: Actor; sessionVersion: number }
  | { ok: false; reason: "wrong" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

// Compared against when the email is unknown, so both cases take the same time.
let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password for sign-in. Failures say only "wrong" (never which
 * part). Failures are throttled per (account, address), per address and per account
 * (lib/auth/sign-in-throttle.ts): a refused attempt is answered without checking the
 * password; an account under attack answers fresh addresses slowly (`wait`, a
 * parameter so tests need not sleep) instead of refusing them.
 */
export async function verifyCredentials(
  db: Db,
  input: { email: string; password: string; ip: string },
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const throttle = await checkSignInThrottle(db, email, input.ip);
  if (throttle.refusedForSeconds > 0) return { ok: false, reason: "rate_limited", retryAfterSeconds: throttle.refusedForSeconds };
  if (throttle.delayMs > 0) await wait(throttle.delayMs);

  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  dummyHash ??= hashPassword("not-a-real-password-for-timing");
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash));
  if (!user || !ok || !user.active) {
    await recordSignInFailure(db, email, input.ip);
    return { ok: false, reason: "wrong" };
  }
  await clearSignInFailures(db, email, input.ip);
  return { ok: true, actor: { id: user.id, email: user.email, name: user.name, role: user.role }, sessionVersion: user.sessionVersion };
}
