import { eq, sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { mailboxes, mailboxFolders } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { createGate, holdIdleSession } from "../../../lib/sync/hold-idle-session";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import type { TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { listServerFolders } from "../../../lib/mailboxes/list-server-folders";
import { setMailboxFolders } from "../../../lib/mailboxes/set-mailbox-folders";
import { makeActor } from "../mailboxes/fixtures";
import { useDovecotSuite } from "./dovecot-suite";
import { insertMailbox, insertProfile, makeDue, testMessage, testSyncOptions } from "./sync-fixtures";

const suite = useDovecotSuite();
const { pki } = suite;
let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
beforeAll(() => void ({ t, dovecot, ownerId } = suite));

const options = testSyncOptions("folders-test");
const JA = "請求書 2026年";

/** A signed-in IMAP client on the test Dovecot (to create folders and APPEND, as another mail client would). */
async function imapAs(user: string, password: string): Promise<ImapFlow> {
  const c = new ImapFlow({ host: dovecot.host, port: dovecot.ports.imaps, secure: true, auth: { user, pass: password }, logger: false, tls: { ca: pki.caPem } });
  await c.connect();
  return c;
}

async function rowsOf(mailboxId: string) {
  return t.db.execute<{ message_id: string; folders: string[] | null; source_key: string }>(
    sql`select message_id, folders, source_key from emails where mailbox_id = ${mailboxId} order by message_id`,
  );
}

async function fetchedSources(mailboxId: string): Promise<number> {
  const [r] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from email_sources s join emails e on e.id = s.email_id where e.mailbox_id = ${mailboxId}`);
  return r.n;
}

test("INBOX plus two chosen folders (one Japanese-named): each message stored once with its folders listed, each folder with its own cursor, a removed folder reported without stopping the others", async () => {
  await dovecot.addUser("folders", "folders-pw");
  const imap = await imapAs("folders", "folders-pw");
  try {
    await imap.mailboxCreate("Archive");
    await imap.mailboxCreate(JA);
    // In INBOX: 1, 2. In Archive: 2 (the same message: a Gmail label), 3. In the Japanese folder: 2 again, 4.
    await dovecot.deliverMany("folders", [testMessage(1, { tag: "f" }), testMessage(2, { tag: "f" })]);
    await imap.append("Archive", testMessage(2, { tag: "f" }));
    await imap.append("Archive", testMessage(3, { tag: "f" }));
    // The copy in the Japanese folder differs by one byte (same Message-ID, same size): only a match made before
    // downloading (Message-ID + RFC822.SIZE) takes it for the same message; a downloaded one would hash differently.
    await imap.append(JA, testMessage(2, { tag: "f", body: "Jello 2, this is message number 2." }));
    await imap.append(JA, testMessage(4, { tag: "f" }));
    // A folder listed by Japanese name comes back decoded from modified UTF-7.
    const listed = (await imap.list()).map((f) => f.path);
    expect(listed).toContain(JA);
  } finally {
    await imap.logout();
  }

  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "folders", password: "folders-pw" });
  await t.db.update(mailboxes).set({ imapFolders: ["Archive", JA] }).where(eq(mailboxes.id, mailboxId));

  const [first] = await syncDueMailboxes(t.db, options);
  expect(first).toMatchObject({ mailboxId, result: "synced", stored: 4 });
  expect((await rowsOf(mailboxId)).map((r) => [r.message_id, r.folders])).toEqual([
    ["<f.1@example.org>", ["INBOX"]],
    ["<f.2@example.org>", ["INBOX", "Archive", JA]],
    ["<f.3@example.org>", ["Archive"]],
    ["<f.4@example.org>", [JA]],
  ]);
  expect(await fetchedSources(mailboxId)).toBe(4);
  const cursors = await t.db.select().from(mailboxFolders).where(eq(mailboxFolders.mailboxId, mailboxId));
  expect(cursors.map((c) => [c.path, c.lastUid, c.errorCode]).sort()).toEqual([
    ["Archive", 2, null],
    [JA, 2, null],
  ]);

  // Nothing new: nothing stored, nothing listed twice.
  await makeDue(t.db, mailboxId);
  expect((await syncDueMailboxes(t.db, options))[0]).toMatchObject({ result: "synced", stored: 0 });
  expect((await rowsOf(mailboxId)).length).toBe(4);

  // New mail in the Japanese folder only (its own cursor), and a copy of 1 moved from INBOX into Archive (same message).
  const imap2 = await imapAs("folders", "folders-pw");
  try {
    await imap2.append(JA, testMessage(5, { tag: "f" }));
    await imap2.mailboxOpen("INBOX");
    await imap2.messageCopy("1", "Archive", { uid: true });
  } finally {
    await imap2.logout();
  }
  await makeDue(t.db, mailboxId);
  expect((await syncDueMailboxes(t.db, options))[0]).toMatchObject({ result: "synced", stored: 1 });
  expect((await rowsOf(mailboxId)).map((r) => [r.message_id, r.folders])).toEqual([
    ["<f.1@example.org>", ["INBOX", "Archive"]],
    ["<f.2@example.org>", ["INBOX", "Archive", JA]],
    ["<f.3@example.org>", ["Archive"]],
    ["<f.4@example.org>", [JA]],
    ["<f.5@example.org>", [JA]],
  ]);
  const [ja] = await t.db.select().from(mailboxFolders).where(sql`${mailboxFolders.mailboxId} = ${mailboxId} and ${mailboxFolders.path} = ${JA}`);
  expect(ja.lastUid).toBe(3);

  // Archive is deleted on the server: it is skipped with its error and an alert; INBOX and the Japanese folder go on.
  const imap3 = await imapAs("folders", "folders-pw");
  try {
    await imap3.mailboxDelete("Archive");
    await imap3.append(JA, testMessage(6, { tag: "f" }));
  } finally {
    await imap3.logout();
  }
  await dovecot.deliver("folders", testMessage(7, { tag: "f" }));
  await makeDue(t.db, mailboxId);
  expect((await syncDueMailboxes(t.db, options))[0]).toMatchObject({ result: "synced", stored: 2 });
  const [archive] = await t.db.select().from(mailboxFolders).where(sql`${mailboxFolders.mailboxId} = ${mailboxId} and ${mailboxFolders.path} = 'Archive'`);
  expect(archive.errorCode).toBe("folder_missing");
  const [alert] = await t.db.select().from(alerts).where(eq(alerts.mailboxId, mailboxId));
  expect(alert).toMatchObject({ severity: "warning", titleKey: "alerts.text.folderMissingTitle", titleParams: { folder: "Archive" } });
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(m).toMatchObject({ incomingEnabled: true, consecutiveFailures: 0, lastError: null });
  // The mail stored from Archive stays.
  expect((await rowsOf(mailboxId)).map((r) => r.message_id)).toEqual(["<f.1@example.org>", "<f.2@example.org>", "<f.3@example.org>", "<f.4@example.org>", "<f.5@example.org>", "<f.6@example.org>", "<f.7@example.org>"]);
});

test("a message without a Message-ID found in two folders is matched by its content hash and stored once; an INBOX-only mailbox lists no folders", async () => {
  await dovecot.addUser("noid", "noid-pw");
  const raw = ["From: a@example.org", "To: b@example.com", "Subject: no id", "Date: Thu, 01 Jan 2026 00:00:00 +0000", "", "body", ""].join("\r\n");
  const imap = await imapAs("noid", "noid-pw");
  try {
    await imap.mailboxCreate("Labels");
    await imap.append("Labels", raw);
  } finally {
    await imap.logout();
  }
  await dovecot.deliver("noid", raw);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "noid", password: "noid-pw" });
  const other = await insertMailbox(t.db, { profileId, ownerId, user: "noid", password: "noid-pw" });
  await t.db.update(mailboxes).set({ imapFolders: ["Labels"] }).where(eq(mailboxes.id, mailboxId));
  await syncDueMailboxes(t.db, options);
  expect((await rowsOf(mailboxId)).map((r) => [r.message_id, r.folders])).toEqual([[null, ["INBOX", "Labels"]]]);
  expect((await rowsOf(other)).map((r) => [r.message_id, r.folders])).toEqual([[null, null]]);
});

test("the server's folders are listed for a writer with the mailbox's sealed credentials (Japanese names decoded), chosen, and refused when not usable", async () => {
  await dovecot.addUser("chooser", "chooser-pw");
  const imap = await imapAs("chooser", "chooser-pw");
  try {
    await imap.mailboxCreate("Archive");
    await imap.mailboxCreate(JA);
  } finally {
    await imap.logout();
  }
  const admin = await makeActor(t.db, "admin");
  const member = await makeActor(t.db, "member");
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "chooser", password: "chooser-pw" });

  const listed = await listServerFolders(t.db, admin, { mailboxId });
  expect(listed.map((f) => [f.path, f.chosen])).toEqual([["Archive", false], [JA, false]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  await expect(listServerFolders(t.db, member, { mailboxId })).rejects.toMatchObject({ code: "forbidden" });

  await setMailboxFolders(t.db, admin, { mailboxId, folders: [JA, "Archive", " Archive "] });
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(m.imapFolders).toEqual([JA, "Archive"]);
  expect((await listServerFolders(t.db, admin, { mailboxId })).filter((f) => f.chosen).map((f) => f.path).sort()).toEqual(["Archive", JA].sort());

  await expect(setMailboxFolders(t.db, admin, { mailboxId, folders: ["inbox"] })).rejects.toMatchObject({ code: "invalid", fieldErrors: { folders: [{ key: "mailboxes.folders.inboxAlways" }] } });
  await expect(setMailboxFolders(t.db, member, { mailboxId, folders: [] })).rejects.toMatchObject({ code: "forbidden" });
  const pop3 = await insertProfile(t.db, { dovecot, protocol: "pop3", ownerId });
  const popBox = await insertMailbox(t.db, { profileId: pop3, ownerId, user: "chooser", password: "chooser-pw" });
  await expect(setMailboxFolders(t.db, admin, { mailboxId: popBox, folders: ["Archive"] })).rejects.toMatchObject({ fieldErrors: { folders: [{ key: "mailboxes.folders.imapOnly" }] } });

  // Unticking keeps nothing of the folder's cursor (mail stored from it stays, as the first test shows).
  await setMailboxFolders(t.db, admin, { mailboxId, folders: [] });
  expect((await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId)))[0].imapFolders).toEqual([]);

  // A wrong stored password: the writer is told why, in catalogue terms.
  const wrong = await insertMailbox(t.db, { profileId, ownerId, user: "chooser", password: "wrong" });
  await expect(listServerFolders(t.db, admin, { mailboxId: wrong })).rejects.toMatchObject({ code: "invalid" });
});

test("a mailbox held for push (IDLE on INBOX) still syncs its chosen folders, once per polling interval, on the held session", async () => {
  await dovecot.addUser("held", "held-pw");
  await imapAs("held", "held-pw").then(async (c) => {
    await c.mailboxCreate("Archive");
    await c.logout();
  });
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "held", password: "held-pw" });
  await t.db.update(mailboxes).set({ imapFolders: ["Archive"], leaseOwner: "held-test", leaseExpiresAt: new Date(Date.now() + 3_600_000) }).where(eq(mailboxes.id, mailboxId));
  const session = holdIdleSession(t.db, { mailboxId, profileId }, {
    options: testSyncOptions("held-test", { intervalMs: 1_000 }),
    noopEveryMs: 1_000,
    reconnectBaseMs: 100,
    reconnectCapMs: 1_000,
    maxReconnects: 3,
    gate: createGate(2),
  });
  try {
    const until = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 15_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until("the session idling", async () => !!session.connectedSince());
    await imapAs("held", "held-pw").then(async (c) => {
      await c.append("Archive", testMessage(1, { tag: "held" }));
      await c.logout();
    });
    await until("the folder's message stored", async () => (await rowsOf(mailboxId)).length === 1);
    expect((await rowsOf(mailboxId)).map((r) => r.folders)).toEqual([["Archive"]]);
    // INBOX is still pushed after a folder sync (INBOX re-opened for IDLE), and the same message there is not stored again.
    await dovecot.deliver("held", testMessage(1, { tag: "held" }));
    await dovecot.deliver("held", testMessage(2, { tag: "held" }));
    await until("INBOX's new message stored", async () => (await rowsOf(mailboxId)).length === 2);
    await until("the shared message listed in both", async () => (await rowsOf(mailboxId))[0].folders?.length === 2);
    expect((await rowsOf(mailboxId)).map((r) => [r.message_id, r.folders])).toEqual([
      ["<held.1@example.org>", ["Archive", "INBOX"]],
      ["<held.2@example.org>", ["INBOX"]],
    ]);
  } finally {
    session.close({ state: "stopped", retryMs: 0, pollNow: false });
    await session.done;
  }
});

test("a sync that fails mid-folder (a batch refused by the database) resumes at the next sync: every message stored once, its folders listed once", async () => {
  await dovecot.addUser("crash", "crash-pw");
  const shared = [1, 2, 3].map((i) => testMessage(i, { tag: "c" }));
  await dovecot.deliverMany("crash", shared);
  await imapAs("crash", "crash-pw").then(async (c) => {
    await c.mailboxCreate("Big");
    for (const raw of [...shared, ...[4, 5, 6, 7].map((i) => testMessage(i, { tag: "c" }))]) await c.append("Big", raw);
    await c.logout();
  });
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "crash", password: "crash-pw" });
  await t.db.update(mailboxes).set({ imapFolders: ["Big"] }).where(eq(mailboxes.id, mailboxId));
  // The database refuses message 6 while the flag is set: the batch holding it rolls back, as if the worker died before its commit.
  await t.db.execute(sql`create table crash_flag (on_ boolean)`);
  await t.db.execute(sql`insert into crash_flag values (true)`);
  await t.db.execute(sql`create function crash_on_c6() returns trigger language plpgsql as $$
    begin if new.message_id = '<c.6@example.org>' and exists (select 1 from crash_flag) then raise exception 'crash before commit'; end if; return new; end $$`);
  await t.db.execute(sql`create trigger crash_on_c6 before insert on emails for each row execute function crash_on_c6()`);
  const small = testSyncOptions("crash-test", { batchMaxMessages: 2 });
  try {
    // Other tests' mailboxes may be due too (a held one given back to polling): this one's outcome, whatever the claim's order.
    const failed = (await syncDueMailboxes(t.db, small)).find((o) => o.mailboxId === mailboxId);
    expect(failed).toMatchObject({ mailboxId, result: "retrying" });
    // INBOX and the batch before the refused one are committed with the folder's cursor; the refused batch left nothing.
    const before = (await rowsOf(mailboxId)).map((r) => r.message_id);
    expect(before).toContain("<c.4@example.org>");
    expect(before).not.toContain("<c.6@example.org>");
    const [cursor] = await t.db.select().from(mailboxFolders).where(eq(mailboxFolders.mailboxId, mailboxId));
    expect(cursor.lastUid).toBeLessThan(6);

    await t.db.execute(sql`delete from crash_flag`);
    await makeDue(t.db, mailboxId);
    expect((await syncDueMailboxes(t.db, small)).find((o) => o.mailboxId === mailboxId)).toMatchObject({ result: "synced" });
    await makeDue(t.db, mailboxId);
    expect((await syncDueMailboxes(t.db, small)).find((o) => o.mailboxId === mailboxId)).toMatchObject({ result: "synced", stored: 0 });
  } finally {
    await t.db.execute(sql`drop trigger crash_on_c6 on emails`);
    await t.db.execute(sql`drop function crash_on_c6()`);
    await t.db.execute(sql`drop table crash_flag`);
  }
  expect((await rowsOf(mailboxId)).map((r) => [r.message_id, r.folders])).toEqual([
    ["<c.1@example.org>", ["INBOX", "Big"]],
    ["<c.2@example.org>", ["INBOX", "Big"]],
    ["<c.3@example.org>", ["INBOX", "Big"]],
    ["<c.4@example.org>", ["Big"]],
    ["<c.5@example.org>", ["Big"]],
    ["<c.6@example.org>", ["Big"]],
    ["<c.7@example.org>", ["Big"]],
  ]);
  expect(await fetchedSources(mailboxId)).toBe(7);
  const [done] = await t.db.select().from(mailboxFolders).where(eq(mailboxFolders.mailboxId, mailboxId));
  expect(done.lastUid).toBe(7);
});

test("after-fetch 'move' into a chosen folder does not loop: INBOX's mail is moved once, the folder's sync finds it there and lists both folders on the one row", async () => {
  await dovecot.addUser("mover", "mover-pw");
  // Mail first, then the folder, and the server seen to list both messages before the first sync: delivered
  // right after a session's logout, a loaded Dovecot once showed the sync an empty INBOX (stored 0).
  await dovecot.deliverMany("mover", [1, 2].map((i) => testMessage(i, { tag: "m" })));
  await imapAs("mover", "mover-pw").then(async (c) => {
    await c.mailboxCreate("Processed");
    expect(await c.status("INBOX", { messages: true })).toMatchObject({ messages: 2 });
    await c.logout();
  });
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  await t.db.update(profiles).set({ afterFetchAction: "move", afterFetchFolder: "Processed" }).where(eq(profiles.id, profileId));
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "mover", password: "mover-pw" });
  await t.db.update(mailboxes).set({ imapFolders: ["Processed"] }).where(eq(mailboxes.id, mailboxId));
  for (let i = 0; i < 3; i++) {
    await makeDue(t.db, mailboxId);
    expect((await syncDueMailboxes(t.db, options))[0]).toMatchObject({ result: "synced", stored: i === 0 ? 2 : 0 });
  }
  expect((await rowsOf(mailboxId)).map((r) => [r.message_id, r.folders])).toEqual([
    ["<m.1@example.org>", ["INBOX", "Processed"]],
    ["<m.2@example.org>", ["INBOX", "Processed"]],
  ]);
  const counts = await imapAs("mover", "mover-pw").then(async (c) => {
    const count = async (path: string) => {
      const st = await c.status(path, { messages: true });
      return st ? st.messages : undefined;
    };
    const inbox = await count("INBOX");
    const processed = await count("Processed");
    await c.logout();
    return { inbox, processed };
  });
  expect(counts).toEqual({ inbox: 0, processed: 2 });
});
