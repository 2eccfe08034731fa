import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/*
 * The connection budget (SPEC §1 "maximum concurrent connections") across every
 * worker: a connection may be opened only while holding one of at most `max`
 * rows of connection_slots for its key. Slots are leases: a crashed worker's
 * slots free themselves when they expire.
 */

/**
 * Takes a free slot for `key` (profile:<id> or mailbox:<id>) for `ttlMs`, or returns
 * null when `max` live slots are already held. One statement: the lowest slot number
 * below `max` that no live row holds is inserted (or an expired row of that number is
 * taken over), provided fewer than `max` live slots exist (a lowered maximum is
 * honoured at once). The primary key (key, slot) arbitrates between workers: claimers
 * that race pick the same lowest number and only one row wins; the loser sees the
 * winner's live row, takes nothing, and tries the next number (a statement more, only
 * under contention).
 */
export async function acquireConnectionSlot(db: Db, input: { key: string; max: number; owner: string; ttlMs: number }): Promise<number | null> {
  const max = Math.max(1, input.max);
  for (let attempt = 0; attempt < max; attempt++) {
    const rows = await db.execute<{ slot: number; free: boolean }>(sql`
      with live as (
        select slot from connection_slots where key = ${input.key} and expires_at >= now()),
      pick as (
        select n from generate_series(0, ${max - 1}::int) n
         where n not in (select slot from live) and (select count(*) from live) < ${max}
         order by n limit 1),
      taken as (
        insert into connection_slots (key, slot, owner, expires_at)
        select ${input.key}, n, ${input.owner}, now() + ${input.ttlMs} * interval '1 millisecond' from pick
        on conflict (key, slot) do update set owner = excluded.owner, expires_at = excluded.expires_at
         where connection_slots.expires_at < now()
        returning slot)
      select (select slot from taken) as slot, exists (select 1 from pick) as free`);
    const row = rows[0];
    if (row?.slot !== null && row?.slot !== undefined) return Number(row.slot);
    // None free: the budget is spent. Free but taken meanwhile by another worker: look again.
    if (!row?.free) return null;
  }
  return null;
}

/** Extends a held slot; false when it is no longer ours (expired and taken). */
export async function renewConnectionSlot(db: Db, input: { key: string; slot: number; owner: string; ttlMs: number }): Promise<boolean> {
  const rows = await db.execute(sql`
    update connection_slots set expires_at = now() + ${input.ttlMs} * interval '1 millisecond'
     where key = ${input.key} and slot = ${input.slot} and owner = ${input.owner}
    returning slot`);
  return rows.length > 0;
}

/** Gives a slot back (only if still ours). */
export async function releaseConnectionSlot(db: Db, input: { key: string; slot: number; owner: string }): Promise<void> {
  await db.execute(sql`delete from connection_slots where key = ${input.key} and slot = ${input.slot} and owner = ${input.owner}`);
}
