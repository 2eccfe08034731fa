import type { Db } from "../../db/client";
import { log } from "../log";
import { acquireConnectionSlot, releaseConnectionSlot, renewConnectionSlot } from "../sync/connection-slots";

/** Connection slots held for SMTP sessions; give them back with `release()`. */
export type HeldSmtpSlots = {
  /** How many are held now. */
  readonly count: number;
  /** Tries to hold up to `want` in all (never more than the budget's maximum); returns the new count. */
  grow: (want: number) => Promise<number>;
  renew: () => Promise<void>;
  release: () => Promise<void>;
};

/**
 * Takes up to `want` connection slots of the budget `slotKey` draws on (the
 * incoming sync's slot leases, lib/sync/connection-slots.ts), never more than
 * `max` held across every worker. SMTP sessions use their own budget beside the
 * IMAP/POP3 one (key `<slotKey>:smtp`): they go to a different server, and a
 * long incoming sync holding every IMAP slot must not stop mail from going out.
 * Slots are leases (`ttlMs`), so a crashed worker's slots free themselves.
 */
export async function holdSmtpSlots(db: Db, input: { slotKey: string; max: number; want: number; owner: string; ttlMs: number }): Promise<HeldSmtpSlots> {
  const key = `${input.slotKey}:smtp`;
  const slots: number[] = [];
  const grow = async (want: number) => {
    while (slots.length < Math.min(want, Math.max(1, input.max))) {
      const slot = await acquireConnectionSlot(db, { key, max: input.max, owner: input.owner, ttlMs: input.ttlMs });
      if (slot === null) break;
      slots.push(slot);
    }
    return slots.length;
  };
  await grow(input.want);
  return {
    get count() {
      return slots.length;
    },
    grow,
    renew: async () => {
      await Promise.all(slots.map((slot) => renewConnectionSlot(db, { key, slot, owner: input.owner, ttlMs: input.ttlMs })));
    },
    release: async () => {
      const all = slots.splice(0);
      await Promise.all(all.map((slot) => releaseConnectionSlot(db, { key, slot, owner: input.owner }))).catch((err) =>
        log("warn", "could not release SMTP connection slots (they expire by themselves)", { key, err }),
      );
    },
  };
}
