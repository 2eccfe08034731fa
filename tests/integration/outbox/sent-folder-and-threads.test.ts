// Issue 18 on the outgoing side, against Dovecot and the SMTP server harness:
// the copy in the IMAP Sent folder (once per email, after the SMTP success),
// replies joining their conversation, the bounce warning, and no Auto-Submitted
// on mail a person wrote.
import { eq, sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { emails } from "../../../db/schema/emails";
import { profiles } from "../../../db/schema/profiles";
import { outbox } from "../../../db/schema/outbox";
import type { Actor } from "../../../lib/auth/actor";
import { hashSource, parseMessage } from "../../../lib/mail/parse-message";
import { appendSentCopies, type AppendOptions } from "../../../lib/outbox/append-sent-copies";
import { queueEmail } from "../../../lib/outbox/queue-email";
import { sendDueEmails } from "../../../lib/outbox/send-due-emails";
import { storeMessages } from "../../../lib/sync/store-messages";
import { english, englishFieldErrors } from "../../harness/english";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { makeActor, makeProfile } from "../mailboxes/fixtures";
import { useDovecotSuite } from "../sync/dovecot-suite";
import { enableSending, mailboxOfUser, outboxRow, receivedOnce, testSendOptions } from "./outbox-fixtures";
import { AppError } from "../../../lib/errors";
import { acquireConnectionSlot, releaseConnectionSlot } from "../../../lib/sync/connection-slots";

const suite = useDovecotSuite();
const LOGIN = { user: "sender", password: "sender-password" };
let smtp: TestSmtp;
let member: Actor;
let box: string;
let profileId: string;

beforeAll(async () => {
  smtp = await startSmtpServer({ pki: suite.pki });
  await suite.dovecot.addUser(LOGIN.user, LOGIN.password);
  member = await makeActor(suite.t.db, "member");
  box = await mailboxOfUser(suite.t.db, member.id);
  profileId = await makeProfile(suite.t.db, {
    incomingProtocol: "imap",
    incomingPort: suite.dovecot.ports.imaps,
    incomingTls: true,
    outgoingHost: smtp.host,
    outgoingPort: smtp.ports.starttls,
    outgoingTls: false,
    maxConnections: 2,
    appendSentToImap: true,
  });
  await enableSending(suite.t.db, box, profileId, LOGIN);
});
afterAll(async () => {
  await smtp?.stop();
});

const db = () => suite.t.db;
const appendOptions = (workerId = "copier"): AppendOptions => ({ ...testSendOptions(workerId), claimLimit: 50 });

async function imap<T>(run: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ host: "127.0.0.1", port: suite.dovecot.ports.imaps, secure: true, tls: { ca: suite.pki.caPem }, auth: { user: LOGIN.user, pass: LOGIN.password }, logger: false });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.logout();
  }
}

/** Every message in `folder`: its source and flags. */
async function folderMessages(folder: string): Promise<{ raw: Buffer; flags: Set<string> }[]> {
  return imap(async (c) => {
    const lock = await c.getMailboxLock(folder);
    try {
      const out: { raw: Buffer; flags: Set<string> }[] = [];
      for await (const m of c.fetch("1:*", { source: true, flags: true })) out.push({ raw: m.source!, flags: m.flags ?? new Set() });
      return out;
    } catch {
      return [];
    } finally {
      lock.release();
    }
  });
}

async function storeIncoming(lines: string[]): Promise<number> {
  const raw = Buffer.from([...lines, "", "body", ""].join("\r\n"));
  const key = `router:${hashSource(raw)}`;
  await storeMessages(db(), {
    mailboxId: box,
    workerId: null,
    leaseMs: 0,
    maxMessageBytes: 1_000_000,
    alertRecipientIds: [],
    cursor: {},
    messages: [{ sourceKey: key, raw, sizeBytes: raw.length, oversized: false, contentHash: hashSource(raw), parsed: await parseMessage(raw) }],
  });
  const [row] = await db().select({ id: emails.id }).from(emails).where(eq(emails.sourceKey, key));
  return row.id;
}

test("without a Sent folder the copy fails once with a clear alert, and the email is not sent again", async () => {
  const q = await queueEmail(db(), member, { mailboxId: box, to: "nofolder@example.org", subject: "Before the folder", body: "x" });
  await sendDueEmails(db(), testSendOptions("sender-1"));
  expect(await outboxRow(db(), q.id)).toMatchObject({ status: "sent", sentCopy: "pending" });
  const tally = await appendSentCopies(db(), appendOptions());
  expect(tally).toMatchObject({ failed: 1, appended: 0 });
  const row = await outboxRow(db(), q.id);
  expect(row).toMatchObject({ status: "sent", sentCopy: "failed", sentCopyRaw: null, sentCopyErrorKey: "outbox.sentCopy.noFolder" });
  const [alert] = await db().select().from(alerts).where(eq(alerts.recipientId, member.id));
  expect(english({ key: alert.messageKey, params: alert.messageParams } as never)).toMatch(/“?"?Before the folder"?”? was sent, but its copy could not be saved in the IMAP Sent folder\. The IMAP server has no folder marked as Sent.*The email was not sent again\./);
  await sendDueEmails(db(), testSendOptions("sender-1"));
  await receivedOnce(smtp, q.messageId); // still exactly one delivery
});

test("after the SMTP success the exact bytes sent are appended to the Sent folder once, even when a crash lost the record", async () => {
  await imap((c) => c.mailboxCreate("Sent"));
  const q1 = await queueEmail(db(), member, { mailboxId: box, to: "jane@example.org", bcc: "hidden@example.org", subject: "Quarterly", body: "Numbers attached." });
  const q2 = await queueEmail(db(), member, { mailboxId: box, to: "bob@example.org", subject: "Lunch", body: "Noon?" });
  await sendDueEmails(db(), testSendOptions("sender-2"));
  const wire = (await receivedOnce(smtp, q1.messageId)).raw;
  expect(wire.toString()).not.toMatch(/^Auto-Submitted:/im); // a person wrote it
  expect((await receivedOnce(smtp, q1.messageId)).to).toEqual(["jane@example.org", "hidden@example.org"]);

  expect(await appendSentCopies(db(), appendOptions())).toMatchObject({ appended: 2, found: 0 });
  const copies = await folderMessages("Sent");
  expect(copies).toHaveLength(2);
  const copy = copies.find((c) => c.raw.toString().includes(q1.messageId))!;
  expect(copy.raw.toString().replace(/\r\n/g, "\n")).toBe(wire.toString().replace(/\r\n/g, "\n"));
  expect(copy.flags.has("\\Seen")).toBe(true);
  expect(await outboxRow(db(), q1.id)).toMatchObject({ sentCopy: "appended", sentCopyFolder: "Sent", sentCopyRaw: null, leaseOwner: null });

  // A worker appended and died before recording it: the copy is pending again, its bytes still there.
  await db().update(outbox).set({ sentCopy: "pending", sentCopyRaw: wire, sentCopyNextAt: new Date(0) }).where(eq(outbox.id, q2.id));
  expect(await appendSentCopies(db(), appendOptions("copier-2"))).toMatchObject({ appended: 0, found: 1 });
  expect(await folderMessages("Sent")).toHaveLength(2);
  // Nothing pending: a further pass does nothing, and nothing was sent twice.
  expect(await appendSentCopies(db(), appendOptions())).toMatchObject({ appended: 0, found: 0, failed: 0 });
  expect(smtp.received.filter((r) => r.raw.includes(q2.messageId))).toHaveLength(1);
});

test("an unreachable IMAP server is retried with backoff; a refused sign-in fails the copy with an alert; the email is never sent again", async () => {
  const q = await queueEmail(db(), member, { mailboxId: box, to: "later@example.org", subject: "Copy later", body: "x" });
  await sendDueEmails(db(), testSendOptions("sender-3"));
  await suite.dovecot.stop();
  try {
    expect(await appendSentCopies(db(), appendOptions())).toMatchObject({ retrying: 1 });
  } finally {
    await suite.dovecot.start();
  }
  let row = await outboxRow(db(), q.id);
  expect(row).toMatchObject({ status: "sent", sentCopy: "pending", sentCopyAttempts: 1, leaseOwner: null });
  expect(row.sentCopyNextAt!.getTime()).toBeGreaterThan(Date.now() - 1000);
  expect(row.sentCopyRaw).not.toBeNull();

  await db().update(outbox).set({ sentCopyNextAt: new Date(0) }).where(eq(outbox.id, q.id));
  await suite.dovecot.setPassword(LOGIN.user, "changed-elsewhere");
  try {
    await appendSentCopies(db(), appendOptions());
  } finally {
    await suite.dovecot.setPassword(LOGIN.user, LOGIN.password);
  }
  row = await outboxRow(db(), q.id);
  // An authentication failure is permanent: the copy fails at once, the email stays sent.
  expect(row).toMatchObject({ status: "sent", sentCopy: "failed", sentCopyAttempts: 2 });
  const titles = (await db().select().from(alerts).where(eq(alerts.recipientId, member.id))).map((a) => english({ key: a.titleKey, params: a.titleParams } as never));
  expect(titles).toContain(`Sent mail from ${member.name} was not copied to its Sent folder`);
  expect(smtp.received.filter((r) => r.raw.includes(q.messageId))).toHaveLength(1);
});

test("the copy waits while the profile's connection budget is in use, without counting an attempt", async () => {
  const q = await queueEmail(db(), member, { mailboxId: box, to: "budget@example.org", subject: "Budget slot", body: "x" });
  await sendDueEmails(db(), testSendOptions("sender-5"));
  // Two syncs (the profile allows 2 connections) hold every slot of the mailbox's budget.
  const key = `mailbox:${box}`;
  const held = [await acquireConnectionSlot(db(), { key, max: 2, owner: "sync-a", ttlMs: 60_000 }), await acquireConnectionSlot(db(), { key, max: 2, owner: "sync-b", ttlMs: 60_000 })];
  expect(held).not.toContain(null);
  try {
    expect(await appendSentCopies(db(), appendOptions())).toMatchObject({ waiting: 1, appended: 0 });
    expect(await outboxRow(db(), q.id)).toMatchObject({ sentCopy: "pending", sentCopyAttempts: 0, leaseOwner: null });
  } finally {
    await releaseConnectionSlot(db(), { key, slot: held[0]!, owner: "sync-a" });
    await releaseConnectionSlot(db(), { key, slot: held[1]!, owner: "sync-b" });
  }
  await db().update(outbox).set({ sentCopyNextAt: new Date(0) }).where(eq(outbox.id, q.id));
  expect(await appendSentCopies(db(), appendOptions())).toMatchObject({ appended: 1 });
});

test("a profile without 'append sent mail' keeps no copy", async () => {
  await db().update(profiles).set({ appendSentToImap: false }).where(eq(profiles.id, profileId));
  try {
    const q = await queueEmail(db(), member, { mailboxId: box, to: "nocopy@example.org", subject: "No copy", body: "x" });
    await sendDueEmails(db(), testSendOptions("sender-4"));
    expect(await outboxRow(db(), q.id)).toMatchObject({ status: "sent", sentCopy: null, sentCopyRaw: null });
  } finally {
    await db().update(profiles).set({ appendSentToImap: true }).where(eq(profiles.id, profileId));
  }
});

test("a reply written in the app joins its thread, and the answer to it comes back into the same thread", async () => {
  const parent = await storeIncoming(["From: quinn@example.com", "Subject: Budget", "Message-ID: <budget@example.com>"]);
  const [p] = await db().select({ threadId: emails.threadId }).from(emails).where(eq(emails.id, parent));
  const reply = await queueEmail(db(), member, { mailboxId: box, to: "quinn@example.com", subject: "Re: Budget", body: "Checked.", replyToEmailId: String(parent) });
  expect(await outboxRow(db(), reply.id)).toMatchObject({ threadId: p.threadId });
  // A new email starts its own conversation; the answer to it joins it through our own Message-ID.
  const fresh = await queueEmail(db(), member, { mailboxId: box, to: "ann@example.com", subject: "Offer", body: "Interested?" });
  const freshThread = (await outboxRow(db(), fresh.id)).threadId;
  expect(freshThread).not.toBe(p.threadId);
  const answer = await storeIncoming(["From: ann@example.com", "Subject: Re: Offer", "Message-ID: <ann-1@example.com>", `In-Reply-To: ${fresh.messageId}`]);
  const [a] = await db().select({ threadId: emails.threadId, method: emails.threadMethod }).from(emails).where(eq(emails.id, answer));
  expect(a).toEqual({ threadId: freshThread, method: "outgoing" });
});

test("composing to an address with a recent permanent bounce is refused with the field named until 'send anyway'", async () => {
  await storeIncoming([
    "From: MAILER-DAEMON@mx.example.org",
    "Subject: Undelivered Mail Returned to Sender",
    "Message-ID: <dsn-77@mx.example.org>",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    "",
    "--B",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.org",
    "",
    "Final-Recipient: rfc822; gone@example.net",
    "Action: failed",
    "Status: 5.1.1",
    "",
    "Final-Recipient: rfc822; slow@example.net",
    "Action: delayed",
    "Status: 4.4.7",
    "--B--",
  ]);
  const refused = await queueEmail(db(), member, { mailboxId: box, to: "ok@example.org", cc: "Gone@Example.net", subject: "Hi", body: "x" }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(AppError);
  const fe = englishFieldErrors((refused as AppError).fieldErrors);
  expect(fe.cc).toEqual([expect.stringMatching(/^Mail to gone@example\.net bounced on \d{4}-\d\d-\d\d \(status 5\.1\.1: .*Send anyway/)]);
  expect(fe.to).toBeUndefined();
  expect(fe.sendAnyway).toBeDefined();
  // A delayed (4.x.x) report is no bounce; an old bounce no longer warns.
  await expect(queueEmail(db(), member, { mailboxId: box, to: "slow@example.net", subject: "Hi", body: "x" })).resolves.toMatchObject({ id: expect.any(Number) });
  await db().execute(sql`update emails set stored_at = now() - interval '31 days' where message_id = '<dsn-77@mx.example.org>'`);
  await expect(queueEmail(db(), member, { mailboxId: box, to: "gone@example.net", subject: "Hi", body: "x" })).resolves.toMatchObject({ id: expect.any(Number) });
  await db().execute(sql`update emails set stored_at = now() where message_id = '<dsn-77@mx.example.org>'`);
  await expect(queueEmail(db(), member, { mailboxId: box, to: "gone@example.net", subject: "Hi", body: "x", sendDespiteBounces: true })).resolves.toMatchObject({ id: expect.any(Number) });
});
