import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/**
 * Sign-in throttling, kept in Postgres so every web process shares it. Three counts
 * of failures in a sliding window:
 * - per (account, address): past `pair` failures that address is refused for the
 *   account for BLOCK_SECONDS — the guesser is stopped, the owner elsewhere is not;
 * - per address: past `ip` failures (guessing many accounts) the address is refused;
 *   more than per pair, since many people may share one office address;
 * - per account: past `account` failures from anywhere, each further attempt is
 *   answered more slowly (doubling up to MAX_DELAY_MS), and an address that already
 *   failed for this account in the window is refused; an address with no recent
 *   failure still gets its answer, so nobody can lock the owner out.
 */
export const FAILURE_LIMITS = { pair: 5, ip: 20, account: 5 } as const;
const WINDOW_SECONDS = 15 * 60;
const BLOCK_SECONDS = 15 * 60;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

export type ThrottleDecision = { refusedForSeconds: number; delayMs: number };

type Keys = { pair: string; ip: string; account: string };

function keysOf(email: string, ip: string): Keys {
  return { pair: `pair:${email}|${ip}`, ip: `ip:${ip}`, account: `email:${email}` };
}

/**
 * Whether a sign-in for `email` from `ip` may be checked now: refused for some
 * seconds, or allowed after `delayMs`.
 */
export async function checkSignInThrottle(db: Db, email: string, ip: string): Promise<ThrottleDecision> {
  const keys = keysOf(email, ip);
  const rows = await db.execute<{ key: string; failures: number; blocked_for: number }>(sql`
    select key,
      case when window_started_at > now() - make_interval(secs => ${WINDOW_SECONDS}) then failures else 0 end as failures,
      coalesce(extract(epoch from (blocked_until - now())), 0)::float8 as blocked_for
    from sign_in_throttle where key in (${keys.pair}, ${keys.ip}, ${keys.account})`);
  const row = (key: string) => rows.find((r) => r.key === key);
  const blockedFor = Math.max(0, ...rows.map((r) => Math.ceil(Number(r.blocked_for))));
  if (blockedFor > 0) return { refusedForSeconds: blockedFor, delayMs: 0 };
  const accountFailures = Number(row(keys.account)?.failures ?? 0);
  if (accountFailures < FAILURE_LIMITS.account) return { refusedForSeconds: 0, delayMs: 0 };
  // The account is under attack: this address already failed for it, so it waits out the window.
  if (Number(row(keys.pair)?.failures ?? 0) > 0) return { refusedForSeconds: WINDOW_SECONDS, delayMs: 0 };
  const delayMs = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (accountFailures - FAILURE_LIMITS.account));
  return { refusedForSeconds: 0, delayMs };
}

/**
 * Counts one failed sign-in against the pair, the address and the account; blocks the
 * pair or the address at its limit; and prunes rows whose window and block are over
 * (the table holds only the last window's failures).
 */
export async function recordSignInFailure(db: Db, email: string, ip: string): Promise<void> {
  const keys = keysOf(email, ip);
  await db.execute(sql`
    insert into sign_in_throttle (key, failures, window_started_at)
    values (${keys.pair}, 1, now()), (${keys.ip}, 1, now()), (${keys.account}, 1, now())
    on conflict (key) do update set
      failures = case when sign_in_throttle.window_started_at < now() - make_interval(secs => ${WINDOW_SECONDS})
                      then 1 else sign_in_throttle.failures + 1 end,
      window_started_at = case when sign_in_throttle.window_started_at < now() - make_interval(secs => ${WINDOW_SECONDS})
                      then now() else sign_in_throttle.window_started_at end`);
  await db.execute(sql`
    update sign_in_throttle set blocked_until = now() + make_interval(secs => ${BLOCK_SECONDS}), failures = 0, window_started_at = now()
    where (key = ${keys.pair} and failures >= ${FAILURE_LIMITS.pair}) or (key = ${keys.ip} and failures >= ${FAILURE_LIMITS.ip})`);
  await db.execute(sql`
    delete from sign_in_throttle
    where window_started_at < now() - make_interval(secs => ${WINDOW_SECONDS}) and (blocked_until is null or blocked_until < now())`);
}

/**
 * Forgets the failures of this account from this address after it signs in. The
 * account's own count stays until its window ends, so an attacker cannot reset the
 * slow-down by letting the owner sign in.
 */
export async function clearSignInFailures(db: Db, email: string, ip: string): Promise<void> {
  await db.execute(sql`delete from sign_in_throttle where key = ${keysOf(email, ip).pair}`);
}
