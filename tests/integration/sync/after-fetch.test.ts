// After-fetch actions (issue 18) against real Dovecot: each action is applied on the server
// once the messages are stored, exactly once in the database; a failing action keeps the
// rows pending, alerts once, and is applied at the next sync.
import { and, eq, sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { emails } from "../../../db/schema/emails";
import { profiles } from "../../../db/schema/profiles";
import { connectPop3 } from "../../../lib/mail/pop3";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import type { TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { useDovecotSuite } from "./dovecot-suite";
import { insertMailbox, insertProfile, makeDue, storedCounts, testMessage, testSyncOptions } from "./sync-fixtures";

const suite = useDovecotSuite();
const { pki } = suite;
let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
beforeAll(() => void ({ t, dovecot, ownerId } = suite));

const options = testSyncOptions("after-fetch-test");
type Action = "keep" | "mark_read" | "move" | "delete";

async function imap<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: "127.0.0.1", port: dovecot.ports.imaps, secure: true, tls: { ca: pki.caPem }, auth: { user, pass: `${user}-pw` }, logger: false });
  c.on("error", () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => c.close());
  }
}

/** UIDs in `folder`: all, and those flagged \Seen. */
async function serverState(user: string, folder = "INBOX") {
  return imap(user, async (c) => {
    await c.mailboxOpen(folder, { readOnly: true });
    const all = (await c.search({ all: true }, { uid: true })) || [];
    const seen = (await c.search({ seen: true }, { uid: true })) || [];
    return { all: all.length, seen: seen.length };
  });
}

async function setup(user: string, protocol: "imap" | "pop3", action: Action, folder: string | null, count: number) {
  await dovecot.addUser(user, `${user}-pw`);
  await dovecot.deliverMany(user, Array.from({ length: count }, (_, i) => testMessage(i + 1, { tag: user })));
  const profileId = await insertProfile(t.db, { dovecot, protocol, ownerId });
  await t.db.update(profiles).set({ afterFetchAction: action, afterFetchFolder: folder }).where(eq(profiles.id, profileId));
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user, password: `${user}-pw` });
  return { profileId, mailboxId };
}

const pending = async (mailboxId: string) =>
  (await t.db.select({ n: sql<number>`count(*)::int` }).from(emails).where(and(eq(emails.mailboxId, mailboxId), eq(emails.afterFetchPending, true))))[0].n;

test("IMAP mark_read: 30 messages stored once, then all \\Seen on the server; a second sync stores nothing more", async () => {
  const { mailboxId } = await setup("af-read", "imap", "mark_read", null, 30);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, result: "synced", stored: 30 }]);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 30, ids: 30, sources: 30 });
  expect(await serverState("af-read")).toEqual({ all: 30, seen: 30 });
  expect(await pending(mailboxId)).toBe(0);
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
});

test("IMAP delete: 30 messages stored once and gone from INBOX; new mail after that is stored once and deleted too", async () => {
  const { mailboxId } = await setup("af-del", "imap", "delete", null, 30);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, result: "synced", stored: 30 }]);
  expect(await serverState("af-del")).toEqual({ all: 0, seen: 0 });
  await dovecot.deliverMany("af-del", [testMessage(31, { tag: "af-del" }), testMessage(32, { tag: "af-del" })]);
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 2 }]);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 32, ids: 32, sources: 32 });
  expect(await serverState("af-del")).toEqual({ all: 0, seen: 0 });
  expect(await pending(mailboxId)).toBe(0);
});

test("IMAP move: with the folder missing nothing moves, mail is stored once, one alert; once the folder exists the next sync moves all", async () => {
  const { mailboxId } = await setup("af-move", "imap", "move", "Archive", 20);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, result: "synced", stored: 20 }]);
  expect(await serverState("af-move")).toEqual({ all: 20, seen: 0 });
  expect(await pending(mailboxId)).toBe(20);
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
  const raised = await t.db.select().from(alerts).where(eq(alerts.dedupKey, `incoming:after_fetch:${mailboxId}`));
  expect(raised).toHaveLength(1);
  expect(raised[0]).toMatchObject({ count: 2 });
  expect(raised[0].detail).toContain("Archive");

  await imap("af-move", (c) => c.mailboxCreate("Archive"));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
  expect(await serverState("af-move")).toEqual({ all: 0, seen: 0 });
  expect(await serverState("af-move", "Archive")).toEqual({ all: 20, seen: 0 });
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 20, ids: 20, sources: 20 });
  expect(await pending(mailboxId)).toBe(0);
});

test("IMAP keep leaves INBOX untouched and marks nothing pending", async () => {
  const { mailboxId } = await setup("af-keep", "imap", "keep", null, 5);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, result: "synced", stored: 5 }]);
  expect(await serverState("af-keep")).toEqual({ all: 5, seen: 0 });
  expect(await pending(mailboxId)).toBe(0);
});

test("POP3 delete: 25 messages stored once, then DELE + QUIT empties the maildrop; the next sync stores nothing more", async () => {
  const { mailboxId } = await setup("af-pop", "pop3", "delete", null, 25);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, result: "synced", stored: 25 }]);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 25, ids: 25, sources: 25 });
  const pop3 = await connectPop3({ host: "127.0.0.1", port: dovecot.ports.pop3s, tls: "implicit", ca: pki.caPem, timeoutMs: 10_000 });
  await pop3.login("af-pop", "af-pop-pw");
  expect((await pop3.stat()).count).toBe(0);
  await pop3.quit();
  expect(await pending(mailboxId)).toBe(0);
  await dovecot.deliverMany("af-pop", [testMessage(26, { tag: "af-pop" })]);
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 1 }]);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 26, ids: 26, sources: 26 });
});

test("applying twice is harmless: rows set pending again after the action (a crash before the flags were cleared) are settled without error, alert or re-store", async () => {
  for (const [user, action, folder] of [["af-twice-read", "mark_read", null], ["af-twice-move", "move", "Done"], ["af-twice-del", "delete", null]] as const) {
    const { mailboxId } = await setup(user, "imap", action, folder, 10);
    if (folder) await imap(user, (c) => c.mailboxCreate(folder));
    expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, result: "synced", stored: 10 }]);
    const after = { inbox: await serverState(user), folder: folder ? await serverState(user, folder) : null };
    await t.db.update(emails).set({ afterFetchPending: true }).where(eq(emails.mailboxId, mailboxId));
    await makeDue(t.db, mailboxId);
    expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
    expect(await pending(mailboxId), user).toBe(0);
    expect({ inbox: await serverState(user), folder: folder ? await serverState(user, folder) : null }, user).toEqual(after);
    expect(await t.db.select().from(alerts).where(eq(alerts.dedupKey, `incoming:after_fetch:${mailboxId}`)), user).toEqual([]);
    expect(await storedCounts(t.db, mailboxId), user).toEqual({ rows: 10, ids: 10, sources: 10 });
  }
});

test("POP3 profile switched back to keep: pending rows are cleared and the maildrop is left alone", async () => {
  const { profileId, mailboxId } = await setup("af-pop-keep", "pop3", "keep", null, 3);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, stored: 3 }]);
  await t.db.update(emails).set({ afterFetchPending: true }).where(eq(emails.mailboxId, mailboxId));
  await t.db.update(profiles).set({ afterFetchAction: "keep" }).where(eq(profiles.id, profileId));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, stored: 0 }]);
  expect(await pending(mailboxId)).toBe(0);
  const pop3 = await connectPop3({ host: "127.0.0.1", port: dovecot.ports.pop3s, tls: "implicit", ca: pki.caPem, timeoutMs: 10_000 });
  await pop3.login("af-pop-keep", "af-pop-keep-pw");
  expect((await pop3.stat()).count).toBe(3);
  await pop3.quit();
});
