import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import type { Dovecot } from "../../harness/dovecot";
import { testMessage } from "../../integration/sync/sync-fixtures";
import { waitFor } from "../../integration/sync/worker-process";

export type Healthy = { id: string; user: string };

let round = 0;

/**
 * One round of the lag measurement: once none of them is syncing, a new message for each
 * healthy mailbox, every one of them made due now (as their polling interval coming round would), then the time from that
 * moment until the new message is stored, per mailbox, in ms (by the database's clock).
 */
export async function measureLag(db: Db, dovecot: Dovecot, healthy: Healthy[], timeoutMs = 120_000): Promise<number[]> {
  const r = ++round;
  const ids = sql.join(healthy.map((h) => sql`${h.id}::uuid`), sql`, `);
  // No sync of theirs may be running when the round starts: one that began before (the last
  // round's, or a poll whose interval came round) would end by setting its next sync an interval
  // ahead, over this round's "due now", and the new message would wait a minute. So their polls
  // are put off, the running syncs end, and the polls are put off again (over what those set).
  const putOff = () => db.execute(sql`update mailboxes set next_sync_at = now() + interval '1 hour' where id in (${ids})`);
  await putOff();
  await waitFor(`round ${r}: the syncs already running to finish`, async () => {
    const [{ n }] = await db.execute<{ n: number }>(sql`select count(*)::int as n from mailboxes where id in (${ids}) and lease_owner is not null`);
    return n === 0;
  }, timeoutMs);
  await putOff();
  for (const h of healthy) await dovecot.deliver(h.user, testMessage(r, { tag: `lag.${r}.${h.user}` }));
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
