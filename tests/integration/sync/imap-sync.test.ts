import { eq, sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { emails, emailSources } from "../../../db/schema/emails";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import type { Actor } from "../../../lib/auth/actor";
import { claimDueMailboxes } from "../../../lib/sync/claim-due-mailboxes";
import { getSyncProgress } from "../../../lib/sync/get-sync-progress";
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

const options = testSyncOptions("imap-test");

test("a first IMAPS sync stores 1,000 messages exactly once with their fields, leaves the server's flags alone, and later polls store only new mail", async () => {
  await dovecot.addUser("alice", "alice-pw");
  const raws = Array.from({ length: 1000 }, (_, i) => testMessage(i + 1, { tag: "a" }));
  await dovecot.deliverMany("alice", raws);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "alice", password: "alice-pw" });

  const started = performance.now();
  const [outcome] = await syncDueMailboxes(t.db, options);
  const seconds = (performance.now() - started) / 1000;
  console.log(`IMAPS first sync (in-process): 1000 messages in ${seconds.toFixed(2)} s = ${Math.round(1000 / seconds)} messages/s`);
  expect(outcome).toMatchObject({ mailboxId, result: "synced", stored: 1000 });
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 1000, ids: 1000, sources: 1000 });
  // Each message answers the one before (In-Reply-To): through the real fetch and store path they form one
  // conversation, the first one starting it (its parent was never delivered), every other joined by In-Reply-To.
  const [threads] = await t.db.execute<{ threads: number; replies: number; started: number }>(sql`
    select count(distinct thread_id)::int as threads, count(*) filter (where thread_method = 'in_reply_to')::int as replies,
           count(*) filter (where thread_method = 'new')::int as started
      from emails where mailbox_id = ${mailboxId}`);
  expect(threads).toEqual({ threads: 1, replies: 999, started: 1 });

  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(m).toMatchObject({ imapLastUid: 1000, syncProgressDone: 1000, syncProgressTotal: 1000, consecutiveFailures: 0, leaseOwner: null, lastError: null });
  expect(m.syncedFrom?.toISOString()).toBe("2000-01-01T00:00:00.000Z");
  // Next sync one polling interval (1 min) after the end of this one.
  expect(m.nextSyncAt!.getTime() - m.lastSyncAt!.getTime()).toBeGreaterThanOrEqual(59_000);

  const [e] = await t.db.select().from(emails).where(sql`${emails.mailboxId} = ${mailboxId} and ${emails.messageId} = '<a.37@example.org>'`);
  expect(e).toMatchObject({
    sourceKey: `imap:${m.imapUidValidity}:37`,
    fromAddress: "sender37@example.org",
    fromName: "Sender 37",
    toList: [{ name: "Alice", address: "alice@example.com" }, { name: "", address: "bob@example.com" }],
    ccList: [{ name: "", address: "carol@example.com" }],
    replyTo: [{ name: "", address: "replies@example.org" }],
    subject: "a message 37",
    inReplyTo: "<a.36@example.org>",
    references: "<a.0@example.org> <a.36@example.org>",
    textBody: "Hello 37, this is message number 37.\n",
    htmlBody: null,
    parseError: null,
    oversized: false,
    hasAttachments: false,
  });
  expect(e.sentAt?.toISOString()).toBe(new Date(Date.UTC(2026, 0, 1) + 37 * 60_000).toISOString());
  const [src] = await t.db.select().from(emailSources).where(eq(emailSources.emailId, e.id));
  expect(src.raw.toString("utf8")).toBe(raws[36]);
  expect(e.sizeBytes).toBe(Buffer.byteLength(raws[36]));

  // Read-only: not one message was marked \Seen by the sync.
  const client = new ImapFlow({ host: "127.0.0.1", port: dovecot.ports.imaps, secure: true, tls: { ca: pki.caPem }, auth: { user: "alice", pass: "alice-pw" }, logger: false });
  await client.connect();
  await client.mailboxOpen("INBOX", { readOnly: true });
  const seen = await client.search({ seen: true }, { uid: true });
  await client.logout();
  expect(seen).toEqual([]);

  // Between polls: only the new ones.
  await dovecot.deliverMany("alice", [testMessage(1001, { tag: "a" }), testMessage(1002, { tag: "a" })]);
  await makeDue(t.db, mailboxId);
  const [second] = await syncDueMailboxes(t.db, options);
  expect(second).toMatchObject({ result: "synced", stored: 2 });
  await makeDue(t.db, mailboxId);
  const [third] = await syncDueMailboxes(t.db, options);
  expect(third).toMatchObject({ result: "synced", stored: 0 });
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 1002, ids: 1002, sources: 1002 });

  // Not due (next sync is a polling interval away): nothing is claimed.
  expect(await syncDueMailboxes(t.db, options)).toEqual([]);
});

test("process-from is honoured by internal date, and moving it earlier backfills the older mail (over STARTTLS)", async () => {
  await dovecot.addUser("bob", "bob-pw");
  // Old and new mail interleaved in UID order.
  const msgs = Array.from({ length: 20 }, (_, i) => testMessage(i, { tag: "b", date: i % 2 === 0 ? new Date(Date.UTC(2025, 5, 1, 12, i)) : new Date(Date.UTC(2026, 1, 1, 12, i)) }));
  await dovecot.deliverMany("bob", msgs);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId, tls: false, processEmailFrom: new Date("2026-01-15T00:00:00Z") });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "bob", password: "bob-pw" });

  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 10 }]);
  const newOnes = await t.db.select({ id: emails.messageId }).from(emails).where(eq(emails.mailboxId, mailboxId));
  expect(newOnes.map((r) => r.id).sort()).toEqual(msgs.map((_, i) => `<b.${i}@example.org>`).filter((_, i) => i % 2 === 1).sort());

  // Mail arriving later but dated before process-from is not taken either.
  await dovecot.deliver("bob", testMessage(100, { tag: "b", date: new Date(Date.UTC(2025, 11, 1)) }));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 0 }]);

  await t.db.update(profiles).set({ processEmailFrom: new Date("2025-01-01T00:00:00Z") }).where(eq(profiles.id, profileId));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 11 }]);
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 21, ids: 21, sources: 21 });
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(m.syncedFrom?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
  expect(m).toMatchObject({ syncProgressDone: 11, syncProgressTotal: 11 });
});

test("after a UIDVALIDITY change nothing is stored twice (with or without a Message-ID) and new mail still arrives", async () => {
  await dovecot.addUser("carol", "carol-pw");
  const noId = "From: x@example.org\r\nSubject: no message id\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n\r\nbody without id\r\n";
  await dovecot.deliverMany("carol", [...Array.from({ length: 30 }, (_, i) => testMessage(i, { tag: "c" })), noId, noId]);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "carol", password: "carol-pw" });
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 32 }]);
  const [before] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));

  await dovecot.resetUidValidity("carol");
  await dovecot.deliver("carol", testMessage(30, { tag: "c" }));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 1 }]);
  const [after] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(after.imapUidValidity).not.toBe(before.imapUidValidity);
  const counts = await storedCounts(t.db, mailboxId);
  // 31 with distinct Message-IDs, plus the two identical messages without one, each kept once.
  expect(counts).toMatchObject({ rows: 33, ids: 31, sources: 33 });
  const keys = await t.db.select({ k: emails.sourceKey }).from(emails).where(eq(emails.mailboxId, mailboxId));
  expect(keys.every((r) => r.k.startsWith(`imap:${after.imapUidValidity}:`))).toBe(true);

  await dovecot.deliver("carol", testMessage(31, { tag: "c" }));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, options)).toMatchObject([{ result: "synced", stored: 1 }]);
  expect(await storedCounts(t.db, mailboxId)).toMatchObject({ rows: 34 });
});

test("a malformed message and an oversized one are stored, flagged and alerted once, and never stop the mailbox", async () => {
  await dovecot.addUser("dave", "dave-pw");
  let malformed = "From: m@example.org\r\nSubject: malformed\r\nMessage-ID: <malformed@example.org>\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n";
  for (let i = 0; i < 1100; i++) malformed += `--Z\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
  const big = testMessage(2, { tag: "d", body: "x".repeat(78).concat("\r\n").repeat(3000) }); // ~240 KB
  const withNul = testMessage(3, { tag: "d", body: "a NUL \u0000 byte" });
  await dovecot.deliverMany("dave", [testMessage(1, { tag: "d" }), malformed, big, withNul, testMessage(4, { tag: "d" })]);
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "dave", password: "dave-pw" });
  const small = { ...options, maxMessageBytes: 100_000 };

  expect(await syncDueMailboxes(t.db, small)).toMatchObject([{ result: "synced", stored: 5 }]);
  const rows = await t.db.select().from(emails).where(eq(emails.mailboxId, mailboxId)).orderBy(emails.id);
  const bad = rows.find((r) => r.messageId === "<malformed@example.org>")!;
  expect(bad.parseError).toMatch(/child nodes/);
  expect(bad.subject).toBe("malformed");
  const [badSource] = await t.db.select().from(emailSources).where(eq(emailSources.emailId, bad.id));
  expect(badSource.raw.toString()).toBe(malformed);
  const large = rows.find((r) => r.messageId === "<d.2@example.org>")!;
  expect(large).toMatchObject({ oversized: true, subject: "d message 2", textBody: null, sizeBytes: Buffer.byteLength(big) });
  const [largeSource] = await t.db.select().from(emailSources).where(eq(emailSources.emailId, large.id));
  expect(largeSource.raw.length).toBeLessThan(1000);
  // Postgres text cannot hold NUL; whatever the server sends for it, the message is stored.
  expect(rows.find((r) => r.messageId === "<d.3@example.org>")!.textBody).toMatch(/^a NUL .? byte\n$/);

  await dovecot.deliver("dave", testMessage(5, { tag: "d" }));
  await makeDue(t.db, mailboxId);
  expect(await syncDueMailboxes(t.db, small)).toMatchObject([{ result: "synced", stored: 1 }]);
  const raised = await t.db.select().from(alerts).where(eq(alerts.mailboxId, mailboxId));
  expect(raised.map((a) => [a.severity, a.title, a.count, a.recipientId]).sort()).toEqual([
    ["warning", "A message could not be parsed", 1, ownerId],
    ["warning", "Message too large: stored with headers only", 1, ownerId],
  ]);
  expect(raised.find((a) => a.title.startsWith("Message too large"))!.message).toMatch(/"d message 2" from sender2@example.org/);
});

test("a sync cut by its time budget keeps its lease while it runs, shows progress, and the next sync (due at once) continues where it stopped", async () => {
  await dovecot.addUser("ivy", "ivy-pw");
  await dovecot.deliverMany("ivy", Array.from({ length: 600 }, (_, i) => testMessage(i, { tag: "i" })));
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "ivy", password: "ivy-pw" });
  const short = testSyncOptions("budget-test", { leaseMs: 10_000, budgetMs: 300, batchMaxMessages: 40 });

  const running = syncDueMailboxes(t.db, short);
  await new Promise((r) => setTimeout(r, 100));
  expect(await claimDueMailboxes(t.db, { workerId: "intruder", limit: 10, leaseMs: 60_000 })).toEqual([]);
  const [first] = await running;
  expect(first.result).toBe("partial");
  const afterFirst = await storedCounts(t.db, mailboxId);
  expect(afterFirst.rows).toBeGreaterThan(0);
  expect(afterFirst.rows).toBeLessThan(600);
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(m.nextSyncAt!.getTime()).toBeLessThanOrEqual(Date.now());
  expect(m).toMatchObject({ syncProgressDone: afterFirst.rows, syncProgressTotal: 600, syncedFrom: null, leaseOwner: null });
  const member: Actor = { id: ownerId, email: "o@example.com", name: "O", role: "member" };
  expect(await getSyncProgress(t.db, member, { mailboxId })).toMatchObject({ phase: "first_sync", done: afterFirst.rows, total: 600 });

  for (let i = 0; i < 50; i++) {
    const [outcome] = await syncDueMailboxes(t.db, short);
    if (outcome.result === "synced") break;
    expect(outcome.result).toBe("partial");
  }
  expect(await storedCounts(t.db, mailboxId)).toEqual({ rows: 600, ids: 600, sources: 600 });
  expect(await getSyncProgress(t.db, member, { mailboxId })).toMatchObject({ phase: "up_to_date", done: 600, total: 600 });
});
