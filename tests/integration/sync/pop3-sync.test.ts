import { eq } from "drizzle-orm";
import { beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { emails, emailSources } from "../../../db/schema/emails";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { connectPop3Session } from "../../../lib/mail/connect-pop3-session";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import type { TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { insertMailbox, insertProfile, makeDue, storedCounts, testMessage, testSyncOptions } from "./sync-fixtures";
import { useDovecotSuite } from "./dovecot-suite";

const suite = useDovecotSuite();
const { pki } = suite;
let t: TestDb;
let dovecot: Dovecot;
let ownerId: string;
beforeAll(() => void ({ t, dovecot, ownerId } = suite));

const options = testSyncOptions("pop3-test");

test("a first POP3S sync stores 1,000 messages exactly once with their fields, deletes nothing, and later polls store only new mail", async () => {
  await dovecot.addUser("alice", "alice-pw");
  const raws = Array.from({ length: 1000 }, (_, i) => testMessage(i + 1, { tag: "p" }));
  await dovecot.deliverMany("alice", raws);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "pop3", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "alice", password: "alice-pw" });

  const started = performance.now();
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ mailboxId, result: "synced", stored: 1000 }]);
  const seconds = (performance.now() - started) / 1000;
  console.log(`POP3S first sync (in-process): 1000 messages in ${seconds.toFixed(2)} s = ${Math.round(1000 / seconds)} messages/s`);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 1000, ids: 1000, sources: 1000 });

  const [e] = await t.db.select().from(emails).where(eq(emails.messageId, "<p.500@example.org>"));
  expect(e).toMatchObject({
    mailboxId,
    sourceKey: expect.stringMatching(/^pop3:\S+$/),
    fromAddress: "sender500@example.org",
    toList: [{ name: "Alice", address: "alice@example.com" }, { name: "", address: "bob@example.com" }],
    ccList: [{ name: "", address: "carol@example.com" }],
    replyTo: [{ name: "", address: "replies@example.org" }],
    subject: "p message 500",
    inReplyTo: "<p.499@example.org>",
    textBody: "Hello 500, this is message number 500.\n",
  });
  const [src] = await t.db.select().from(emailSources).where(eq(emailSources.emailId, e.id));
  expect(src.raw.toString("utf8")).toBe(raws[499]);
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(m).toMatchObject({ syncProgressDone: 1000, syncProgressTotal: 1000, leaseOwner: null });

  await dovecot.deliverMany("alice", [testMessage(1001, { tag: "p" }), testMessage(1002, { tag: "p" })]);
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 2 }]);
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 1002, ids: 1002, sources: 1002 });

  // No DELE: every message is still on the server.
  const client = await connectPop3Session({ host: "127.0.0.1", port: dovecot.ports.pop3s, tls: true, authMethod: "auto", auth: { user: "alice", pass: "alice-pw" }, ca: pki.caPem });
  expect((await client.stat()).count).toBe(1002);
  await client.quit();
});

test("process-from is honoured by the Date header (large messages read with TOP first); moving it earlier backfills (over STLS)", async () => {
  await dovecot.addUser("bob", "bob-pw");
  const old = (i: number) => new Date(Date.UTC(2025, 5, 1, 12, i));
  const recent = (i: number) => new Date(Date.UTC(2026, 1, 1, 12, i));
  const msgs = Array.from({ length: 20 }, (_, i) => testMessage(i, { tag: "q", date: i % 2 === 0 ? old(i) : recent(i), body: i % 4 === 0 ? "y".repeat(70).concat("\r\n").repeat(1500) : undefined }));
  await dovecot.deliverMany("bob", msgs);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "pop3", ownerId, tls: false, processEmailFrom: new Date("2026-01-15T00:00:00Z") });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "bob", password: "bob-pw" });

  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 10 }]);
  const stored = await t.db.select({ id: emails.messageId }).from(emails).where(eq(emails.mailboxId, mailboxId));
  expect(stored.map((r) => r.id).sort()).toEqual(msgs.map((_, i) => `<q.${i}@example.org>`).filter((_, i) => i % 2 === 1).sort());
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);

  await t.db.update(profiles).set({ processEmailFrom: new Date("2025-01-01T00:00:00Z") }).where(eq(profiles.id, profileId));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 10 }]);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 20, ids: 20, sources: 20 });
});

test("when the server renumbers its UIDLs nothing is stored twice, and new mail still arrives", async () => {
  await dovecot.addUser("carol", "carol-pw");
  await dovecot.deliverMany("carol", Array.from({ length: 15 }, (_, i) => testMessage(i, { tag: "r" })));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "pop3", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "carol", password: "carol-pw" });
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 15 }]);
  const before = new Set((await t.db.select({ k: emails.sourceKey }).from(emails).where(eq(emails.mailboxId, mailboxId))).map((r) => r.k));

  await dovecot.resetUidValidity("carol");
  await dovecot.deliver("carol", testMessage(15, { tag: "r" }));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 1 }]);
  const after = (await t.db.select({ k: emails.sourceKey }).from(emails).where(eq(emails.mailboxId, mailboxId))).map((r) => r.k);
  expect(after).toHaveLength(16);
  expect(after.some((k) => before.has(k))).toBe(false); // the rows were re-keyed to the new UIDLs
  expect(await storedCounts(t.db, mailboxId)).toMatchObject({ rows: 16, ids: 16 });
});

test("a malformed message and an oversized one are stored, flagged and alerted once over POP3, and never stop the mailbox", async () => {
  await dovecot.addUser("dave", "dave-pw");
  let malformed = "From: m@example.org\r\nSubject: malformed\r\nMessage-ID: <pmalformed@example.org>\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n";
  for (let i = 0; i < 1100; i++) malformed += `--Z\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
  const big = testMessage(2, { tag: "s", body: "x".repeat(78).concat("\r\n").repeat(3000) });
  await dovecot.deliverMany("dave", [testMessage(1, { tag: "s" }), malformed, big, testMessage(3, { tag: "s" })]);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "pop3", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "dave", password: "dave-pw" });
  const small = { ...options, maxMessageBytes: 100_000 };

  expect(await syncDueMailboxes(t.db, small)).toMatchObject([{ result: "synced", stored: 4 }]);
  const rows = await t.db.select().from(emails).where(eq(emails.mailboxId, mailboxId));
  expect(rows.find((r) => r.messageId === "<pmalformed@example.org>")!.parseError).toMatch(/child nodes/);
  expect(rows.find((r) => r.messageId === "<s.2@example.org>")).toMatchObject({ oversized: true, subject: "s message 2" });

  await dovecot.deliver("dave", testMessage(4, { tag: "s" }));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, small)).toMatchObject([{ result: "synced", stored: 1 }]);
  const raised = await t.db.select().from(alerts).where(eq(alerts.mailboxId, mailboxId));
  expect(raised.map((a) => [a.title, a.count]).sort()).toEqual([
    ["A message could not be parsed", 1],
    ["Message too large: stored with headers only", 1],
  ]);
});
