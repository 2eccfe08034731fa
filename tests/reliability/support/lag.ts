import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import type { Dovecot } from "../../harness/dovecot";
import { testMessage } from "../../integration/sync/sync-fixtures";
import { waitFor } from "../../integration/sync/worker-process";

export type Healthy = { id: string; user: string };

let round = 0;

/**
 * One round of the lag measurement: a new message for each healthy mailbox, every one of
 * them made due now (as their polling interval coming round would), then the time from that
 * moment until the new message is stored, per mailbox, in ms (by the database's clock).
 */
export async function measureLag(db: Db, dovecot: Dovecot, healthy: Healthy[], timeoutMs = 120_000): Promise<number[]> {
  const r = ++round;
  for (const h of healthy) await dovecot.deliver(h.user, testMessage(r, { tag: `lag.${r}.${h.user}` }));
  const ids = sql.join(healthy.map((h) => sql`${h.id}::uuid`), sql`, `);
  const [{ t0 }] = await db.execute<{ t0: Date }>(sql`update mailboxes set next_sync_at = now() where id in (${ids}) returning now() as t0`);
  const like = `<lag.${r}.%`;
  await waitFor(`round ${r}: the new message in all ${healthy.length} healthy mailboxes`, async () => {
    const [{ n }] = await db.execute<{ n: number }>(sql`select count(*)::int as n from emails where message_id like ${like}`);
    return n >= healthy.length;
  }, timeoutMs);
  const rows = await db.execute<{ ms: number }>(sql`select extract(epoch from (stored_at - ${t0}::timestamptz)) * 1000 as ms from emails where message_id like ${like}`);
  return rows.map((x) => Math.max(0, Number(x.ms)));
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : 0;
}

export const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
