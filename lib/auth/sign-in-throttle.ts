import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/**
 * After this many failures in the window, a key is blocked for BLOCK_SECONDS. An
 * address gets more tries than an account: many people may share one office address.
 */
export const FAILURE_LIMITS = { ip: 20, email: 5 } as const;
const WINDOW_SECONDS = 15 * 60;
const BLOCK_SECONDS = 15 * 60;

/**
 * Seconds until `keys` may try again (0 = now). Keys are "ip:<address>" and
 * "email:<address>", so both one address guessing many accounts and many
 * addresses guessing one account are slowed down. Kept in Postgres so every
 * web process shares it.
 */
export async function secondsUntilAllowed(db: Db, keys: string[]): Promise<number> {
  const rows = await db.execute<{ wait: number }>(sql`
    select coalesce(max(extract(epoch from (blocked_until - now()))), 0)::float8 as wait
    from sign_in_throttle where key in ${keys}
      and blocked_until > now()`);
  return Math.ceil(Number(rows[0]?.wait ?? 0));
}

/** Counts one failed sign-in against each key; blocks a key when it reaches its limit in the window. */
export async function recordFailure(db: Db, keys: string[]): Promise<void> {
  for (const key of keys) {
    await db.execute(sql`
      insert into sign_in_throttle (key, failures, window_started_at)
      values (${key}, 1, now())
      on conflict (key) do update set
        failures = case when sign_in_throttle.window_started_at < now() - make_interval(secs => ${WINDOW_SECONDS})
                        then 1 else sign_in_throttle.failures + 1 end,
        window_started_at = case when sign_in_throttle.window_started_at < now() - make_interval(secs => ${WINDOW_SECONDS})
                        then now() else sign_in_throttle.window_started_at end`);
    await db.execute(sql`
      update sign_in_throttle set blocked_until = now() + make_interval(secs => ${BLOCK_SECONDS}), failures = 0, window_started_at = now()
      where key = ${key} and failures >= ${key.startsWith("ip:") ? FAILURE_LIMITS.ip : FAILURE_LIMITS.email}`);
  }
}

/** Forgets the failures of an account after it signs in successfully. */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.execute(sql`delete from sign_in_throttle where key = ${key}`);
}
