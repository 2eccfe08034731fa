import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { emails } from "../../../db/schema/emails";
import { mailboxes } from "../../../db/schema/mailboxes";
import { outbox } from "../../../db/schema/outbox";
import { orgSettings } from "../../../db/schema/settings";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { hashSource, parseMessage } from "../../../lib/mail/parse-message";
import { storeMessages, type FetchedMessage } from "../../../lib/sync/store-messages";
import { listEmails } from "../../../lib/emails/list-emails";
import { createTestDb, type TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { insertMailbox, insertProfile, insertUser } from "../sync/sync-fixtures";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

let t: TestDb;
let ownerId: string;
let profileId: string;
const fakeDovecot = { ports: { imap: 1143, imaps: 1993, pop3: 1110, pop3s: 1995 } } as unknown as Dovecot;
beforeAll(async () => {
  t = await createTestDb();
  ownerId = await insertUser(t.db);
  profileId = await insertProfile(t.db, { dovecot: fakeDovecot, protocol: "imap", ownerId });
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

async function leasedMailbox(): Promise<string> {
  const id = await insertMailbox(t.db, { profileId, ownerId, user: "u", password: "p" });
  await t.db.update(mailboxes).set({ leaseOwner: "w", leaseExpiresAt: new Date(Date.now() + 60_000) }).where(eq(mailboxes.id, id));
  return id;
}

let key = 0;
async function fetched(lines: string[]): Promise<FetchedMessage> {
  const buf = Buffer.from([...lines, "", "body", ""].join("\r\n"));
  return { sourceKey: `imap:1:${++key}`, raw: buf, sizeBytes: buf.length, oversized: false, contentHash: hashSource(buf), parsed: await parseMessage(buf) };
}
const mail = (id: string, subject: string, extra: string[] = []) => fetched([`From: a@example.org`, `Subject: ${subject}`, `Message-ID: <${id}@example.org>`, ...extra]);
const store = (mailboxId: string, messages: FetchedMessage[]) =>
  storeMessages(t.db, { mailboxId, workerId: "w", leaseMs: 60_000, maxMessageBytes: 1_000_000, alertRecipientIds: [], messages, cursor: {} });
async function threadsOf(mailboxId: string) {
  const rows = await t.db
    .select({ messageId: emails.messageId, threadId: emails.threadId, method: emails.threadMethod })
    .from(emails)
    .where(eq(emails.mailboxId, mailboxId))
    .orderBy(emails.id);
  return new Map(rows.map((r) => [r.messageId!.replace(/^<|@example\.org>$/g, ""), r]));
}

test("replies thread with their parent across batches, a parent stored after its replies merges their threads, and each mailbox threads its own copy", async () => {
  const a = await leasedMailbox();
  const b = await leasedMailbox();
  // Batch 1: the root and an unrelated message; batch 2: a reply by In-Reply-To and one by References only.
  await store(a, [await mail("root", "Order 1"), await mail("other", "Hello")]);
  await store(a, [await mail("r1", "Re: Order 1", ["In-Reply-To: <root@example.org>"]), await mail("r2", "Re: Order 1", ["References: <root@example.org> <r1@example.org>"])]);
  // Replies to a parent not stored yet: the second finds the first (they answer the same message)…
  await store(a, [await mail("c1", "Re: Late", ["In-Reply-To: <late@example.org>"])]);
  await store(a, [await mail("c2", "Re: Late", ["In-Reply-To: <late@example.org>"])]);
  // …and the parent arriving, itself a reply to "other", ties both threads into one (merged in the database).
  await store(a, [await mail("late", "Late", ["In-Reply-To: <other@example.org>"])]);
  const ta = await threadsOf(a);
  expect(ta.get("root")).toMatchObject({ method: "new" });
  expect(ta.get("r1")).toMatchObject({ threadId: ta.get("root")!.threadId, method: "in_reply_to" });
  expect(ta.get("r2")).toMatchObject({ threadId: ta.get("root")!.threadId, method: "references" });
  expect(ta.get("other")!.threadId).not.toBe(ta.get("root")!.threadId);
  expect(ta.get("c2")).toMatchObject({ threadId: ta.get("c1")!.threadId, method: "references" });
  expect(ta.get("late")).toMatchObject({ threadId: ta.get("other")!.threadId, method: "in_reply_to" });
  expect(ta.get("c1")!.threadId).toBe(ta.get("other")!.threadId);
  expect(new Set([...ta.values()].map((r) => r.threadId)).size).toBe(2);

  // The conversations view: one row per thread (its newest message) with its size; a search narrows it.
  const admin = { id: ownerId, email: "owner@example.com", name: "owner", role: "admin" as const };
  const view = await listEmails(t.db, admin, { mailboxId: a, threads: true });
  expect(view).toMatchObject({ threads: true, total: 2, totalCapped: false });
  expect(view.rows.map((r) => [r.subject, r.threadCount])).toEqual([
    ["Late", 4],
    ["Re: Order 1", 3],
  ]);
  expect((await listEmails(t.db, admin, { mailboxId: a, threads: true, query: "order" })).rows.map((r) => [r.subject, r.threadCount])).toEqual([["Re: Order 1", 3]]);
  expect((await listEmails(t.db, admin, { mailboxId: a })).rows).toHaveLength(7);

  // The same messages in another mailbox: threaded there too, with threads of its own.
  await store(b, [await mail("root", "Order 1"), await mail("r1", "Re: Order 1", ["In-Reply-To: <root@example.org>"])]);
  const tb = await threadsOf(b);
  expect(tb.get("r1")).toMatchObject({ threadId: tb.get("root")!.threadId, method: "in_reply_to" });
  expect(tb.get("root")!.threadId).not.toBe(ta.get("root")!.threadId);
});

test("a reply to mail sent from the app joins the outgoing mail's thread; a Re: subject with no headers joins a recent thread by subject", async () => {
  const a = await leasedMailbox();
  const [sent] = await t.db
    .insert(outbox)
    .values({ mailboxId: a, messageId: "<sent1@mailroom.example>", toList: [{ name: "", address: "x@example.org" }], subject: "Quote", status: "sent", threadId: sql`gen_random_uuid()` })
    .returning();
  await store(a, [await mail("answer", "Re: Quote", ["In-Reply-To: <sent1@mailroom.example>"])]);
  await store(a, [await mail("s0", "Invoice 9"), await mail("s1", "RE: invoice 9")]);
  const ta = await threadsOf(a);
  expect(ta.get("answer")).toMatchObject({ threadId: sent.threadId, method: "outgoing" });
  expect(ta.get("s1")).toMatchObject({ threadId: ta.get("s0")!.threadId, method: "subject" });

  // The organisation turned subject matching off: the same kind of reply starts a conversation of its own.
  await t.db.insert(orgSettings).values({ id: 1, threadBySubject: false }).onConflictDoUpdate({ target: orgSettings.id, set: { threadBySubject: false } });
  try {
    await store(a, [await mail("s2", "Re: Invoice 9")]);
    const after = await threadsOf(a);
    expect(after.get("s2")!.method).toBe("new");
    expect(after.get("s2")!.threadId).not.toBe(ta.get("s0")!.threadId);
  } finally {
    await t.db.update(orgSettings).set({ threadBySubject: true }).where(eq(orgSettings.id, 1));
  }
});

test("automatic mail and bounces are stored with their kind, reason and failed recipients", async () => {
  const a = await leasedMailbox();
  const dsn = await fetched([
    "From: MAILER-DAEMON@mx.example.org",
    "Subject: Undelivered Mail Returned to Sender",
    "Message-ID: <dsn@example.org>",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    "",
    "--B",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.org",
    "",
    "Final-Recipient: rfc822; Gone@Example.net",
    "Action: failed",
    "Status: 5.1.1",
    "--B--",
  ]);
  await store(a, [dsn, await mail("ooo", "Out of office", ["Auto-Submitted: auto-replied"]), await mail("news", "News", ["Precedence: bulk"]), await mail("person", "Hi")]);
  const rows = await t.db
    .select({ subject: emails.subject, autoKind: emails.autoKind, autoReason: emails.autoReason, dsn: emails.dsnRecipients, bounced: emails.bouncedAddresses })
    .from(emails)
    .where(eq(emails.mailboxId, a))
    .orderBy(emails.id);
  expect(rows).toEqual([
    {
      subject: "Undelivered Mail Returned to Sender",
      autoKind: "bounce",
      autoReason: "Content-Type: multipart/report; report-type=delivery-status",
      dsn: [{ address: "Gone@Example.net", action: "failed", status: "5.1.1", diagnostic: null }],
      bounced: ["gone@example.net"],
    },
    { subject: "Out of office", autoKind: "auto_reply", autoReason: "Auto-Submitted: auto-replied", dsn: null, bounced: null },
    { subject: "News", autoKind: "bulk", autoReason: "Precedence: bulk", dsn: null, bounced: null },
    { subject: "Hi", autoKind: null, autoReason: null, dsn: null, bounced: null },
  ]);
});
