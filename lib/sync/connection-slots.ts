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
 * null when `max` live slots are already held. An advisory lock on the key makes
 * the count-then-insert atomic across workers, whatever slot numbers are in use
 * (a lowered maximum is honoured at once).
 */
export async function acquireConnectionSlot(db: Db, input: { key: string; max: number; owner: string; ttlMs: number }): Promise<number | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${"connection_slots:" + input.key}, 0))`);
    await tx.execute(sql`delete from connection_slots where key = ${input.key} and expires_at < now()`);
    const held = await tx.execute<{ slot: number }>(sql`select slot from connection_slots where key = ${input.key} order by slot`);
    if (held.length >= Math.max(1, input.max)) return null;
    const used = new Set(held.map((r) => Number(r.slot)));
    let slot = 0;
    while (used.has(slot)) slot++;
    await tx.execute(sql`
      insert into connection_slots (key, slot, owner, expires_at)
      values (${input.key}, ${slot}, ${input.owner}, now() + ${input.ttlMs} * interval '1 millisecond')`);
    return slot;
  });
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
