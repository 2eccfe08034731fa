// A connection slot lost mid-sync. Slots are leases (lib/sync/connection-slots.ts): if a
// sync's slot expires and another worker takes it (this worker stalled past the slot's
// lease), two connections would count against one slot of the profile's budget. The sync
// that finds its slot gone at a renewal must stop, close its connection, leave the other
// worker's slot alone and come back later; the mail it stored stays, and the rest arrives.
import { eq, sql } from "drizzle-orm";
import { expect, test } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import { useDovecotSuite } from "./dovecot-suite";
import { insertMailbox, insertProfile, makeDue, storedCounts, testMessage, testSyncOptions } from "./sync-fixtures";
import { waitFor } from "./worker-process";

const s = useDovecotSuite();
const MESSAGES = 2000;

test("a sync whose connection slot was taken by another worker stops, leaves that slot alone, and finishes later", async () => {
  await s.dovecot.addUser("sam", "sam-pw");
  await s.dovecot.deliverMany("sam", Array.from({ length: MESSAGES }, (_, i) => testMessage(i, { tag: "slot", body: `Message ${i}\r\n${"Slot test. ".repeat(200)}\r\n` })));
  const profileId = await insertProfile(s.t.db, { dovecot: s.dovecot, protocol: "imap", ownerId: s.ownerId, maxConnections: 1 });
  const mailboxId = await insertMailbox(s.t.db, { profileId, ownerId: s.ownerId, user: "sam", password: "sam-pw" });
  // A short lease renews the mailbox and its slot every second.
  const options = testSyncOptions("slot-test", { leaseMs: 3_000, budgetMs: 120_000, slotWaitMs: 1_000 });

  const run = syncDueMailboxes(s.t.db, options);
  await waitFor("the first stored batch", async () => (await storedCounts(s.t.db, mailboxId)).rows > 0, 60_000);
  // Another worker now holds the slot (it had expired, as if this one stalled past it).
  const stolen = await s.t.db.execute<{ key: string; slot: number }>(sql`
    update connection_slots set owner = 'other-worker/elsewhere', expires_at = now() + interval '5 minutes' returning key, slot`);
  expect(stolen).toHaveLength(1);
  const [outcome] = await run;
  const stored = (await storedCounts(s.t.db, mailboxId)).rows;

  expect(outcome, "it stopped instead of syncing on over the budget").toMatchObject({ mailboxId, result: "waiting" });
  expect(stored, "it stopped before the end").toBeLessThan(MESSAGES);
  const slots = await s.t.db.execute<{ key: string; slot: number; owner: string }>(sql`select key, slot, owner from connection_slots`);
  expect(slots, "the other worker's slot is left alone").toEqual([{ ...stolen[0], owner: "other-worker/elsewhere" }]);
  const [m] = await s.t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(m, "released, due again soon, not counted as a failure").toMatchObject({ leaseOwner: null, consecutiveFailures: 0, incomingEnabled: true });

  // Once the slot is free again, the next sync stores the rest, each message once.
  await s.t.db.execute(sql`delete from connection_slots`);
  for (let i = 0; i < 10 && (await storedCounts(s.t.db, mailboxId)).rows < MESSAGES; i++) {
    await makeDue(s.t.db, mailboxId);
    await syncDueMailboxes(s.t.db, options);
  }
  expect(await storedCounts(s.t.db, mailboxId)).toEqual({ rows: MESSAGES, ids: MESSAGES, sources: MESSAGES });
}, 180_000);
