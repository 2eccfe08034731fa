import { eq, sql } from "drizzle-orm";
import { beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { mailboxes } from "../../../db/schema/mailboxes";
import { checkSilentMailboxes } from "../../../lib/monitoring/check-silent-mailboxes";
import { checkSlowMail } from "../../../lib/monitoring/check-slow-mail";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import type { TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { useDovecotSuite } from "../sync/dovecot-suite";
import { insertMailbox, insertProfile, insertUser, makeDue, testMessage, testSyncOptions } from "../sync/sync-fixtures";

const suite = useDovecotSuite();
let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
let profileOwnerId: string;
beforeAll(async () => {
  ({ t, dovecot, ownerId } = suite);
  profileOwnerId = await insertUser(t.db, "profile-owner");
});

const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms);
const alertsOf = (mailboxId: string) => t.db.select().from(alerts).where(eq(alerts.mailboxId, mailboxId)).orderBy(alerts.firstSeenAt);
async function profileWith(intervalMinutes: number, slowMailMinutes: number | null = 30): Promise<string> {
  const id = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId: profileOwnerId });
  await t.db.execute(sql`update profiles set min_polling_interval_minutes = ${intervalMinutes}, slow_mail_minutes = ${slowMailMinutes} where id = ${id}`);
  return id;
}
async function lastSync(mailboxId: string, at: Date) {
  await t.db.update(mailboxes).set({ lastSyncAt: at, lastTestedAt: ago(24 * 60 * MIN) }).where(eq(mailboxes.id, mailboxId));
}

test("silent stop: warned once after max(3 × interval, 15 min) without a successful sync, to the owner and the profile owner; cleared by the next real sync", async () => {
  await dovecot.addUser("quiet", "quiet-pw");
  await dovecot.deliverMany("quiet", [testMessage(1, { tag: "q" })]);
  const fast = await profileWith(1); // 3 × 1 min < 15 min: the 15 minutes apply
  const slow = await profileWith(10); // 3 × 10 min = 30 min
  const quiet = await insertMailbox(t.db, { profileId: fast, ownerId, user: "quiet", password: "quiet-pw", name: "Quiet box" });
  const patient = await insertMailbox(t.db, { profileId: slow, ownerId, name: "Patient box" });
  const disabled = await insertMailbox(t.db, { profileId: fast, ownerId, name: "Disabled box" });
  const lastOk = ago(16 * MIN);
  await lastSync(quiet, lastOk);
  await lastSync(patient, ago(20 * MIN));
  await lastSync(disabled, ago(600 * MIN));
  await t.db.update(mailboxes).set({ incomingEnabled: false }).where(eq(mailboxes.id, disabled));
  // Nothing synced these, so they are not due: keep the workers' claims out of it.
  await t.db.execute(sql`update mailboxes set next_sync_at = now() + interval '1 day' where id in (${quiet}, ${patient}, ${disabled})`);

  const first = await checkSilentMailboxes(t.db);
  expect(first.raised).toEqual([quiet]);
  const warned = await alertsOf(quiet);
  expect(warned.map((a) => [a.severity, a.recipientId]).sort()).toEqual([["warning", ownerId], ["warning", profileOwnerId]].sort());
  const since = lastOk.toISOString().slice(0, 16).replace("T", " ");
  expect(warned[0].title).toBe("Quiet box has stopped syncing");
  expect(warned[0].message).toContain(`has not synced since ${since} UTC`);

  // Checked again (every minute, by every worker): not repeated, not even counted.
  expect((await checkSilentMailboxes(t.db)).raised).toEqual([]);
  expect((await alertsOf(quiet)).map((a) => a.count)).toEqual([1, 1]);

  // The 30-minute mailbox: quiet for 20 minutes is fine; 11 minutes later (injected clock) it is not.
  expect(await alertsOf(patient)).toEqual([]);
  expect((await checkSilentMailboxes(t.db, { now: new Date(Date.now() + 11 * MIN) })).raised).toEqual([patient]);
  expect(await alertsOf(disabled)).toEqual([]);

  // A real successful sync clears it with an information alert to both.
  await makeDue(t.db, quiet);
  const [outcome] = await syncDueMailboxes(t.db, testSyncOptions("silent-test"));
  expect(outcome).toMatchObject({ mailboxId: quiet, result: "synced", stored: 1 });
  // IMAP gives each message its arrival (INTERNALDATE): what new-mail latency is measured from.
  const [arrival] = await t.db.execute<{ arrived_at: string | null }>(sql`select arrived_at::text from emails where mailbox_id = ${quiet}`);
  expect(arrival.arrived_at).not.toBeNull();
  expect(await checkSilentMailboxes(t.db)).toEqual({ raised: [], cleared: [quiet] });
  const after = await alertsOf(quiet);
  const info = after.filter((a) => a.severity === "information");
  expect(info.map((a) => a.recipientId).sort()).toEqual([ownerId, profileOwnerId].sort());
  expect(info[0].title).toBe("Quiet box is syncing again");
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, quiet));
  expect(m.silentSince).toBeNull();
  // Cleared once only.
  expect((await checkSilentMailboxes(t.db)).cleared).toEqual([]);
});

test("slow mail: an hour's new-mail latency p95 above the profile's threshold warns once; old mail being imported does not count; fast mail clears it", async () => {
  const profile = await profileWith(5, 10);
  const late = await insertMailbox(t.db, { profileId: profile, ownerId, name: "Late box" });
  const importing = await insertMailbox(t.db, { profileId: profile, ownerId, name: "Importing box" });
  const off = await insertMailbox(t.db, { profileId: await profileWith(5, null), ownerId, name: "Unwatched box" });
  await t.db.execute(sql`update mailboxes set last_tested_at = now() - interval '1 day', next_sync_at = now() + interval '1 day' where id in (${late}, ${importing}, ${off})`);
  let n = 0;
  const store = async (mailboxId: string, storedAt: Date, latencyMs: number) =>
    t.db.execute(sql`insert into emails (mailbox_id, source_key, content_hash, size_bytes, stored_at, arrived_at)
      values (${mailboxId}, ${`test:${++n}`}, 'h', 1, ${storedAt.toISOString()}, ${new Date(storedAt.getTime() - latencyMs).toISOString()})`);
  // 20 messages in the last hour, 19 of them 12–14 minutes late: p95 above 10 minutes.
  for (let i = 0; i < 20; i++) await store(late, ago((i + 1) * 2 * MIN), i === 0 ? 30_000 : (12 + (i % 3)) * MIN);
  // Years-old mail stored just now: a first sync importing history, not slow mail.
  for (let i = 0; i < 5; i++) await store(importing, ago(MIN), 3 * 365 * 24 * 60 * MIN);
  for (let i = 0; i < 5; i++) await store(off, ago(MIN), 60 * MIN);

  expect(await checkSlowMail(t.db)).toEqual({ raised: [late], cleared: [] });
  const [warning] = (await alertsOf(late)).filter((a) => a.recipientId === ownerId);
  expect(warning).toMatchObject({ severity: "warning", title: "New mail for Late box arrives slowly" });
  expect(warning.message).toMatch(/95% of the 20 new messages for Late box were stored within 1[34](\.\d)? minutes/);
  expect(warning.message).toContain("more than the 10 minutes set on its profile");
  expect((await alertsOf(late)).map((a) => a.recipientId).sort()).toEqual([ownerId, profileOwnerId].sort());
  expect(await checkSlowMail(t.db)).toEqual({ raised: [], cleared: [] });
  expect(await alertsOf(importing)).toEqual([]);
  expect(await alertsOf(off)).toEqual([]);

  // Two hours on (injected clock), the last hour's mail came within a minute: the mark is cleared.
  const later = new Date(Date.now() + 2 * 60 * MIN);
  for (let i = 0; i < 5; i++) await store(late, new Date(later.getTime() - (i + 1) * MIN), 40_000);
  expect(await checkSlowMail(t.db, { now: later })).toEqual({ raised: [], cleared: [late] });
});
