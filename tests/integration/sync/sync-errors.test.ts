import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { mailboxes } from "../../../db/schema/mailboxes";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import { getSyncProgress } from "../../../lib/sync/get-sync-progress";
import { loadActor } from "../../../lib/users/load-actor";
import { createTestDb, type TestDb } from "../../harness/db";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { startSilentServer } from "../../harness/tcp";
import { createTestPki } from "../../harness/tls";
import { insertMailbox, insertProfile, insertUser, makeDue, storedCounts, testMessage, testSyncOptions } from "./sync-fixtures";

const pki = createTestPki();
vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let t: TestDb;
let dovecot: Dovecot;
let mailboxOwner: string;
let profileOwner: string;
beforeAll(async () => {
  [t, dovecot] = await Promise.all([createTestDb(), startDovecot({ pki })]);
  mailboxOwner = await insertUser(t.db, "mailbox-owner");
  profileOwner = await insertUser(t.db, "profile-owner");
});
afterAll(async () => {
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

const row = async (id: string) => (await t.db.select().from(mailboxes).where(eq(mailboxes.id, id)))[0];
const alertsOf = (id: string) => t.db.select().from(alerts).where(eq(alerts.mailboxId, id));

test("a password changed on the server after enable disables incoming at once, with an error alert to the mailbox owner and the profile owner", async () => {
  await dovecot.addUser("erin", "erin-pw");
  await dovecot.deliver("erin", testMessage(1, { tag: "e" }));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId: profileOwner });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId: mailboxOwner, user: "erin", password: "erin-pw", name: "Erin" });
  const options = testSyncOptions("errors-test");
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 1 }]);

  await dovecot.setPassword("erin", "changed-pw");
  await makeDue(t.db, mailboxId);
  const [outcome] = await syncDueMailboxes(t.db, options);
  expect(outcome).toMatchObject({ result: "disabled", error: { kind: "permanent", code: "auth_failed", field: "userName", form: "mailbox" } });
  expect(await row(mailboxId)).toMatchObject({ incomingEnabled: false, incomingStatus: "failure", lastErrorCode: "auth_failed", leaseOwner: null, nextSyncAt: null });
  expect((await row(mailboxId)).lastError).toMatch(/Authentication failed — check the mailbox's user name and password/);
  // The mail panel says what the status says: disabled, not "up to date".
  expect(await getSyncProgress(t.db, (await loadActor(t.db, mailboxOwner))!, { mailboxId })).toMatchObject({ phase: "disabled", lastError: { key: "mailError.authFailed" } });
  const raised = await alertsOf(mailboxId);
  expect(raised.map((a) => [a.severity, a.recipientId]).sort()).toEqual([["error", mailboxOwner], ["error", profileOwner]].sort());
  expect(raised[0].title).toBe("Incoming email for Erin was disabled");
  expect(raised[0].message).toMatch(/Test & enable/);
  expect(raised[0].detail).not.toContain("changed-pw");
  expect(raised[0].detail).not.toContain("erin-pw");

  // Disabled: no longer claimed, even when due.
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toEqual([]);
});

test("a stopped server is retried with growing backoff, a warning from the third failure (counted, not repeated), and an information alert when it syncs again", async () => {
  await dovecot.addUser("fred", "fred-pw");
  await dovecot.deliver("fred", testMessage(1, { tag: "f" }));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "pop3", ownerId: profileOwner });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId: mailboxOwner, user: "fred", password: "fred-pw", name: "Fred" });
  const options = testSyncOptions("errors-test", { intervalMs: 10_000, backoffCapMs: 60_000, random: () => 0 });

  await dovecot.stop();
  try {
    const delays: Array<[number, number]> = [];
    for (let i = 1; i <= 4; i++) {
      await makeDue(t.db, mailboxId);
      // The retry time is the database's now() + the delay: bracket that now() by the database clock.
      const before = await dbNow();
      const [outcome] = await syncDueMailboxes(t.db, options);
      const after = await dbNow();
      expect(outcome).toMatchObject({ result: "retrying", error: { kind: "transient", code: "connect_refused" } });
      const m = await row(mailboxId);
      expect(m).toMatchObject({ consecutiveFailures: i, incomingEnabled: true, lastErrorCode: "connect_refused" });
      delays.push([m.nextSyncAt!.getTime() - after, m.nextSyncAt!.getTime() - before]);
      const warnings = (await alertsOf(mailboxId)).filter((a) => a.severity === "warning");
      expect(warnings.map((a) => a.count)).toEqual(i < 3 ? [] : [i - 2, i - 2]); // one per owner, counted
    }
    // 10 s, 20 s, 40 s, then the 60 s cap: each exactly, between the database times read before and after the sync.
    for (const [i, expected] of [10_000, 20_000, 40_000, 60_000].entries()) {
      expect(delays[i][0], `retry ${i + 1}`).toBeLessThanOrEqual(expected);
      expect(delays[i][1], `retry ${i + 1}`).toBeGreaterThanOrEqual(expected);
    }
  } finally {
    await dovecot.start();
  }
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 1 }]);
  expect(await row(mailboxId)).toMatchObject({ consecutiveFailures: 0, firstFailureAt: null, lastError: null, incomingEnabled: true });
  const info = (await alertsOf(mailboxId)).filter((a) => a.severity === "information");
  expect(info.map((a) => a.recipientId).sort()).toEqual([mailboxOwner, profileOwner].sort());
  expect(info[0].title).toBe("Incoming email for Fred is syncing again");

  // While outgoing is failing, a successful incoming sync keeps the last error: it stays as long as a status says Failure.
  await t.db.update(mailboxes).set({ outgoingStatus: "failure", lastError: "Outgoing: authentication failed", lastErrorCode: "auth_failed", lastErrorKey: "mailError.authFailed", lastErrorParams: { credentialsKey: "mailError.credentials.mailbox" } }).where(eq(mailboxes.id, mailboxId));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced" }]);
  expect(await row(mailboxId)).toMatchObject({ outgoingStatus: "failure", lastErrorCode: "auth_failed", lastErrorKey: "mailError.authFailed", lastError: "Outgoing: authentication failed" });
});

test("after 10 transient failures in a row spanning an hour incoming is disabled with an error alert", async () => {
  const silent = await startSilentServer();
  try {
    const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId: profileOwner, port: silent.port });
    const mailboxId = await insertMailbox(t.db, { profileId, ownerId: mailboxOwner, user: "gina", password: "pw", name: "Gina" });
    // Nine failures over the past two hours already happened.
    await t.db.update(mailboxes).set({ consecutiveFailures: 9, firstFailureAt: new Date(Date.now() - 2 * 3600_000) }).where(eq(mailboxes.id, mailboxId));
    const [outcome] = await syncDueMailboxes(t.db, testSyncOptions("errors-test", { mailTimeoutMs: 300 }));
    // A server that never greets times out (every socket phase has a timeout) and counts as the tenth failure.
    expect(outcome).toMatchObject({ result: "disabled", error: { kind: "transient", code: "timeout" } });
    expect(await row(mailboxId)).toMatchObject({ incomingEnabled: false, incomingStatus: "failure", consecutiveFailures: 10 });
    const raised = await alertsOf(mailboxId);
    expect(raised.filter((a) => a.severity === "error")).toHaveLength(2);
    expect(raised.find((a) => a.severity === "error")!.message).toMatch(/10 attempts in a row over 120 minutes failed/);
  } finally {
    await silent.stop();
  }
});

test("one mailbox's broken server does not hold up another's sync in the same pass", async () => {
  const silent = await startSilentServer();
  try {
    await dovecot.addUser("hank", "hank-pw");
    await dovecot.deliver("hank", testMessage(1, { tag: "h" }));
    const slowProfile = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId: profileOwner, port: silent.port });
    const slowBox = await insertMailbox(t.db, { profileId: slowProfile, ownerId: mailboxOwner, user: "x", password: "pw" });
    const goodProfile = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId: profileOwner });
    const goodBox = await insertMailbox(t.db, { profileId: goodProfile, ownerId: mailboxOwner, user: "hank", password: "hank-pw" });
    const options = testSyncOptions("errors-test", { mailTimeoutMs: 8_000 });
    const finished: string[] = [];
    const { syncMailbox } = await import("../../../lib/sync/sync-mailbox");
    const { claimDueMailboxes } = await import("../../../lib/sync/claim-due-mailboxes");
    const ids = await claimDueMailboxes(t.db, { workerId: options.workerId, limit: 10, leaseMs: options.leaseMs });
    expect(ids.sort()).toEqual([slowBox, goodBox].sort());
    await Promise.all(ids.map((id) => syncMailbox(t.db, id, options).then(() => finished.push(id))));
    // By the order of events, not the clock: the good mailbox was done while the silent server still held the other.
    expect(finished).toEqual([goodBox, slowBox]);
    expect(await row(slowBox)).toMatchObject({ lastErrorCode: "timeout" });
    expect(await storedCounts(t.db, goodBox)).toMatchObject({ rows: 1 });
  } finally {
    await silent.stop();
  }
});

test("a mailbox whose settings cannot be used (no password while its profile takes credentials from the mailbox) is disabled with a reason", async () => {
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId: profileOwner });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId: mailboxOwner, user: "nopw", name: "No password" });
  const [outcome] = await syncDueMailboxes(t.db, testSyncOptions("errors-test"));
  expect(outcome).toMatchObject({ result: "disabled", error: { kind: "permanent" } });
  expect(await row(mailboxId)).toMatchObject({ incomingEnabled: false, incomingStatus: "failure" });
  expect((await row(mailboxId)).lastError).toMatch(/has no password.*Enter the mailbox's user name and password/);
  expect((await alertsOf(mailboxId)).map((a) => a.recipientId).sort()).toEqual([mailboxOwner, profileOwner].sort());
});

/** The database's clock (the one next_sync_at is written by), in ms. */
async function dbNow(): Promise<number> {
  const [r] = await t.db.execute<{ now: string }>(sql`select clock_timestamp()::text as now`);
  return new Date(r.now).getTime();
}
