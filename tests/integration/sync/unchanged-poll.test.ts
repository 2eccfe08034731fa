import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Db } from "../../../db/client";
import { mailboxes } from "../../../db/schema/mailboxes";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { claimDueMailboxRows } from "../../../lib/sync/claim-due-mailboxes";
import { createKeptSessions, type KeptSessions } from "../../../lib/sync/kept-sessions";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import { syncMailbox, type SyncOutcome } from "../../../lib/sync/sync-mailbox";
import type { SyncOptions } from "../../../lib/sync/sync-options";
import type { TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { startCountingProxy, type CountingProxy } from "../../harness/tcp";
import { useDovecotSuite } from "./dovecot-suite";
import { insertMailbox, insertProfile, makeDue, storedCounts, testMessage, testSyncOptions } from "./sync-fixtures";

/*
 * Issue 15: an unchanged IMAP sync issues at most 4 SQL statements, and a polled mailbox keeps
 * its signed-in session between polls (lib/sync/kept-sessions.ts), so an unchanged poll is
 * EXAMINE on an open session instead of a new TLS connection and LOGIN.
 */

const suite = useDovecotSuite();
let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
let proxy: CountingProxy;
const opened: Array<{ close: () => Promise<void> }> = [];
beforeAll(async () => {
  ({ t, dovecot, ownerId } = suite);
  // Every connection through the proxy is a TLS handshake and a LOGIN at Dovecot.
  proxy = await startCountingProxy({ host: "127.0.0.1", port: dovecot.ports.imaps });
});
afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
  await proxy?.stop();
});

/**
 * A second pool on the test database whose every statement is written down (postgres.js `debug` hook: one call per
 * statement sent). Warmed up first: a new pool reads the server's array types once, which is no sync's statement.
 */
async function countingDb(): Promise<{ db: Db; statements: string[] }> {
  const statements: string[] = [];
  const client = postgres(t.url, { max: 1, onnotice: () => {}, debug: (_connection, query) => statements.push(query.replace(/\s+/g, " ").trim()) });
  opened.push({ close: () => client.end({ timeout: 5 }) });
  await client`select 1`;
  statements.length = 0;
  return { db: drizzle(client), statements };
}

/** Claims the due mailboxes and syncs them as the worker's step does (the claim returns each with its profile). */
async function poll(db: Db, options: SyncOptions, limit = 10): Promise<SyncOutcome[]> {
  const { rows } = await claimDueMailboxRows(db, { workerId: options.workerId, limit, leaseMs: options.leaseMs, lanes: 24 });
  return Promise.all(rows.map((row) => syncMailbox(db, row, options)));
}

const slotsOf = async (owner: string) =>
  (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from connection_slots where owner = ${owner} and expires_at > now()`))[0].n;
const runsOf = async (mailboxId: string) => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from sync_runs where mailbox_id = ${mailboxId}`))[0].n;

function pool(workerId: string, cap = 10): KeptSessions {
  // Checked by hand in these tests (checkEveryMs far away), as the worker does every few seconds and on a change.
  const kept = createKeptSessions({ db: t.db, workerId, cap, slotTtlMs: 60_000, checkEveryMs: 600_000, keepaliveMs: 4_000 });
  opened.push({ close: () => kept.closeAll() });
  return kept;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("an unchanged IMAP sync issues at most 4 SQL statements (claim with mailbox and profile, slot, one for cursor + outcome + run + slot), and still records its run, frees its slot and gives its lease back", async () => {
  await dovecot.addUser("carl", "carl-pw");
  await dovecot.deliverMany("carl", Array.from({ length: 5 }, (_, i) => testMessage(i, { tag: "c" })));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "carl", password: "carl-pw" });
  const options = testSyncOptions("count-worker");
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 5 }]);
  const runsBefore = await runsOf(mailboxId);
  const [before] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));

  await makeDue(t.db, mailboxId);
  const { db, statements } = await countingDb();
  const outcome = await poll(db, options);
  console.log(`unchanged IMAP sync: ${statements.length} SQL statements\n${statements.map((s, i) => `  ${i + 1}. ${s.slice(0, 160)}`).join("\n")}`);
  expect(outcome).toMatchObject([{ mailboxId, result: "synced", stored: 0 }]);
  expect(statements.length).toBeLessThanOrEqual(4);

  // Every guarantee the folded statements carried: run recorded, lease given back, slot freed, next sync a polling interval on.
  expect(await runsOf(mailboxId)).toBe(runsBefore + 1);
  expect(await slotsOf(`${options.workerId}/${mailboxId}`)).toBe(0);
  const [after] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(after).toMatchObject({ leaseOwner: null, incomingStatus: "success", imapLastUid: before.imapLastUid, syncProgressDone: 0, syncProgressTotal: 0 });
  expect(after.lastSyncAt!.getTime()).toBeGreaterThan(before.lastSyncAt!.getTime());
  expect(after.nextSyncAt!.getTime() - after.lastSyncAt!.getTime()).toBeGreaterThanOrEqual(59_000);

  // New mail is still found and stored once, and the cursor moves with the outcome.
  await dovecot.deliverMany("carl", [testMessage(5, { tag: "c" }), testMessage(6, { tag: "c" })]);
  await makeDue(t.db, mailboxId);
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced", stored: 2 }]);
  const [moved] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(moved.imapLastUid).toBe(before.imapLastUid! + 2);

  // A worker that lost its lease writes nothing: no outcome, no run.
  await makeDue(t.db, mailboxId);
  const [claimed] = (await claimDueMailboxRows(t.db, { workerId: options.workerId, limit: 1, leaseMs: options.leaseMs })).rows;
  await t.db.execute(sql`update mailboxes set lease_owner = 'thief' where id = ${mailboxId}`);
  const runs = await runsOf(mailboxId);
  expect(await syncMailbox(t.db, claimed, options)).toMatchObject({ result: "lease_lost" });
  expect(await runsOf(mailboxId)).toBe(runs);
  expect(await slotsOf(`${options.workerId}/${mailboxId}`)).toBe(0);
  await t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null, next_sync_at = now() + interval '1 hour' where id = ${mailboxId}`);
});

test("a polled mailbox keeps its session between polls: the second poll signs in no more; a changed password, a disabled mailbox, another worker's lease or shutdown close it; a Dovecot restart between polls reconnects, 0 lost, 0 twice", async () => {
  await dovecot.addUser("kim", "kim-pw");
  await dovecot.deliverMany("kim", Array.from({ length: 5 }, (_, i) => testMessage(i, { tag: "k" })));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId, port: proxy.port });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "kim", password: "kim-pw" });
  const kept = pool("keep-worker");
  const options = testSyncOptions("keep-worker", { kept });
  const owner = `keep-worker/${mailboxId}`;
  const base = proxy.opened;
  const due = async () => makeDue(t.db, mailboxId);

  expect(await poll(t.db, options)).toMatchObject([{ result: "synced", stored: 5 }]);
  expect(proxy.opened - base).toBe(1);
  // Kept, and it still counts against the budget: its slot stays held.
  expect(kept.size).toBe(1);
  expect(proxy.current).toBe(1);
  expect(await slotsOf(owner)).toBe(1);

  // The second poll (and an unchanged one) reuses the session: no new connection, no new LOGIN; 3 statements.
  await due();
  const { db, statements } = await countingDb();
  expect(await poll(db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
  console.log(`unchanged IMAP poll on a kept session: ${statements.length} SQL statements`);
  expect(statements.length).toBeLessThanOrEqual(3);
  await dovecot.deliverMany("kim", [testMessage(5, { tag: "k" }), testMessage(6, { tag: "k" })]);
  await due();
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced", stored: 2 }]);
  expect(proxy.opened - base).toBe(1);

  // The check renews its slot and sees nothing changed.
  await kept.check();
  expect(kept.size).toBe(1);

  // A changed password (stored): the check closes the session and frees its slot; the next poll signs in with the new one.
  await dovecot.setPassword("kim", "kim-pw2");
  await t.db.update(mailboxes).set({ passwordSealed: sealSecret("kim-pw2", null) }).where(eq(mailboxes.id, mailboxId));
  await kept.check();
  expect(kept.size).toBe(0);
  await waitFor("the kept connection to close", () => proxy.current === 0);
  expect(await slotsOf(owner)).toBe(0);
  await due();
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
  expect(proxy.opened - base).toBe(2);

  // Changed again, and polled before any check: the poll sees other credentials and signs in afresh (the old session closes).
  await dovecot.setPassword("kim", "kim-pw3");
  await t.db.update(mailboxes).set({ passwordSealed: sealSecret("kim-pw3", null) }).where(eq(mailboxes.id, mailboxId));
  await due();
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
  expect(proxy.opened - base).toBe(3);
  await waitFor("only the new connection to stay", () => proxy.current === 1);
  expect(await slotsOf(owner)).toBe(1);

  // Dovecot restarted between polls, with mail delivered while it was down: the BYE closes the kept session (its slot
  // freed), the next poll connects again and stores each message once.
  await dovecot.stop();
  await waitFor("the kept session to notice the server's close", () => kept.size === 0 && proxy.current === 0);
  await waitFor("its slot to be freed", async () => (await slotsOf(owner)) === 0);
  await dovecot.deliverMany("kim", [7, 8, 9].map((i) => testMessage(i, { tag: "k" })));
  await dovecot.start();
  await due();
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced", stored: 3 }]);
  expect(proxy.opened - base).toBe(4);
  await due();
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
  expect(proxy.opened - base).toBe(4);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 10, ids: 10, sources: 10 });

  // Disabled: closed at the next check (the worker checks at once when notified).
  await t.db.update(mailboxes).set({ incomingEnabled: false }).where(eq(mailboxes.id, mailboxId));
  await kept.check();
  expect(kept.size).toBe(0);
  await waitFor("the connection to close", () => proxy.current === 0);
  expect(await slotsOf(owner)).toBe(0);
  await t.db.update(mailboxes).set({ incomingEnabled: true }).where(eq(mailboxes.id, mailboxId));

  // Approval withdrawn: closed too.
  await due();
  await poll(t.db, options);
  expect(kept.size).toBe(1);
  await t.db.update(mailboxes).set({ approvedAt: null }).where(eq(mailboxes.id, mailboxId));
  await kept.check();
  expect(kept.size).toBe(0);
  await t.db.update(mailboxes).set({ approvedAt: new Date() }).where(eq(mailboxes.id, mailboxId));

  // Another worker leased the mailbox: this worker's session closes and frees the slot for it.
  await due();
  await poll(t.db, options);
  expect(kept.size).toBe(1);
  await t.db.execute(sql`update mailboxes set lease_owner = 'other-worker', lease_expires_at = now() + interval '1 minute' where id = ${mailboxId}`);
  await kept.check();
  expect(kept.size).toBe(0);
  expect(await slotsOf(owner)).toBe(0);
  await t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null where id = ${mailboxId}`);

  // Another worker polled it meanwhile (its lease came and went between two checks): closed too.
  await due();
  await poll(t.db, options);
  expect(kept.size).toBe(1);
  await kept.check();
  expect(kept.size).toBe(1);
  await t.db.execute(sql`update mailboxes set last_sync_at = now() where id = ${mailboxId}`);
  await kept.check();
  expect(kept.size).toBe(0);
  expect(await slotsOf(owner)).toBe(0);

  // Shutdown: every kept session closes and its slot is freed.
  await due();
  await poll(t.db, options);
  expect(kept.size).toBe(1);
  await kept.closeAll();
  expect(kept.size).toBe(0);
  await waitFor("the connection to close", () => proxy.current === 0);
  expect(await slotsOf(owner)).toBe(0);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 10, ids: 10, sources: 10 });
});

test("kept sessions count against the connection budget and leave room for polls: at most half of a profile's shared budget, none of a budget of one", async () => {
  await dovecot.addUser("shared", "shared-pw");
  await dovecot.deliver("shared", testMessage(1, { tag: "s" }));
  const kept = pool("budget-worker");
  const options = testSyncOptions("budget-worker", { kept });
  const profileOf = (max: number) => insertProfile(t.db, { dovecot, protocol: "imap", ownerId, port: proxy.port, maxConnections: max, credentials: { user: "shared", password: "shared-pw" } });

  // Shared budget of 2: the first mailbox's session is kept, the second's is closed (2 live slots would be more than half).
  const two = await profileOf(2);
  const a = await insertMailbox(t.db, { profileId: two, ownerId });
  const b = await insertMailbox(t.db, { profileId: two, ownerId });
  expect(await poll(t.db, options, 1)).toMatchObject([{ result: "synced" }]);
  expect(kept.size).toBe(1);
  expect(await poll(t.db, options, 1)).toMatchObject([{ result: "synced" }]);
  expect(kept.size).toBe(1);
  const [slots] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from connection_slots where key = ${`profile:${two}`} and expires_at > now()`);
  expect(slots.n).toBe(1);
  // The other mailbox still polls, beside the kept session, within the budget.
  await makeDue(t.db, a);
  await makeDue(t.db, b);
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced" }, { result: "synced" }]);
  await kept.closeAll();

  // A budget of one is never kept: the next poll of another mailbox (or another worker) needs it.
  const one = await profileOf(1);
  await insertMailbox(t.db, { profileId: one, ownerId });
  expect(await poll(t.db, options)).toMatchObject([{ result: "synced" }]);
  expect(kept.size).toBe(0);
  const [left] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from connection_slots where key = ${`profile:${one}`} and expires_at > now()`);
  expect(left.n).toBe(0);
});
