// Writing an email (issue 6): who may send from which mailbox, validation with
// field errors, the Message-ID fixed at once, reply/forward from a stored message
// (headers, quoted text, attachments from the raw source) and the Sent list.
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { outboxAttachments } from "../../../db/schema/outbox";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { AppError } from "../../../lib/errors";
import { composeDraft } from "../../../lib/outbox/compose-draft";
import { listSent } from "../../../lib/outbox/list-sent";
import { queueEmail, type QueueEmailInput } from "../../../lib/outbox/queue-email";
import { sendDueEmails } from "../../../lib/outbox/send-due-emails";
import { createTestDb, type TestDb } from "../../harness/db";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { createTestPki } from "../../harness/tls";
import { storeTestEmail } from "../emails/store-test-email";
import { makeActors, makeMailbox, type Actors } from "../mailboxes/fixtures";
import { enableSending, mailboxOfUser, outboxRow, receivedOnce, smtpProfile, testSendOptions } from "./outbox-fixtures";
import { english, englishFieldErrors, refusedInEnglish } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
const LOGIN = { user: "sender", password: "sender-password" };

let t: TestDb;
let sql: postgres.Sql;
let a: Actors;
let smtp: TestSmtp;
let profileId: string;
let memberBox: string;
let otherBox: string;

beforeAll(async () => {
  const pki = createTestPki();
  vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);
  smtp = await startSmtpServer({ pki });
  t = await createTestDb();
  sql = postgres(t.url, { max: 2, onnotice: () => {} });
  a = await makeActors(t.db);
  profileId = await smtpProfile(t.db, { smtp });
  memberBox = await mailboxOfUser(t.db, a.member.id);
  otherBox = await mailboxOfUser(t.db, a.other.id);
  await enableSending(t.db, memberBox, profileId, LOGIN);
  await enableSending(t.db, otherBox, profileId, LOGIN);
});
afterAll(async () => {
  await smtp?.stop();
  await sql?.end();
  await t?.close();
  vi.unstubAllEnvs();
});
beforeEach(() => {
  smtp.received.length = 0;
});

const email = (over: Partial<QueueEmailInput> = {}): QueueEmailInput => ({ mailboxId: memberBox, to: "jane@example.org", subject: "Hello", body: "Hi", ...over });

async function fieldErrorsOf(p: Promise<unknown>): Promise<Record<string, string[]>> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return englishFieldErrors((err as AppError).fieldErrors);
}

test("queueing returns at once with a fixed Message-ID on the sender's domain; nothing is sent until the worker runs", async () => {
  // "At once": it returns without having spoken to the SMTP server at all.
  const authBefore = smtp.authCount;
  const q = await queueEmail(t.db, a.member, email());
  expect(smtp.authCount).toBe(authBefore);
  expect(q.messageId).toMatch(/^<[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}@example\.com>$/);
  expect(await outboxRow(t.db, q.id)).toMatchObject({ status: "queued", attempts: 0, messageId: q.messageId, createdById: a.member.id });
  expect(smtp.received).toHaveLength(0);
});

test("address lists: each entry must be a valid address, at least one recipient, at most 100; errors name the field and the entry", async () => {
  let fe = await fieldErrorsOf(queueEmail(t.db, a.member, email({ to: "jane@example.org, not-an-address; bob@", cc: "carol@example.com", bcc: "x y@example.com" })));
  expect(fe.to[0]).toContain("“not-an-address”, “bob@” are not valid email addresses");
  expect(fe.bcc[0]).toContain("“x y@example.com” is not a valid email address");
  expect(fe.cc).toBeUndefined();

  fe = await fieldErrorsOf(queueEmail(t.db, a.member, email({ to: " , ", cc: "", bcc: "" })));
  expect(fe.to).toEqual(["Enter at least one recipient in To, Cc or Bcc."]);

  const many = Array.from({ length: 101 }, (_, i) => `r${i}@example.org`).join(", ");
  fe = await fieldErrorsOf(queueEmail(t.db, a.member, email({ to: many })));
  expect(fe.to[0]).toContain("at most 100 recipients");

  fe = await fieldErrorsOf(queueEmail(t.db, a.member, email({ subject: "x".repeat(501), body: "y".repeat(500_001) })));
  expect(fe.subject[0]).toContain("at most 500");
  expect(fe.body[0]).toContain("too long");

  // Only Bcc is enough; names, quotes and new lines are understood.
  const q = await queueEmail(t.db, a.member, email({ to: "", bcc: `"Doe, Jane" <jane@example.org>\nbob@example.net` }));
  expect((await outboxRow(t.db, q.id)).bccList).toEqual([
    { name: "Doe, Jane", address: "jane@example.org" },
    { name: "", address: "bob@example.net" },
  ]);
});

test("attachments: at most 10 MB together, said beside the field", async () => {
  const fe = await fieldErrorsOf(
    queueEmail(t.db, a.member, email({ attachments: [6, 5].map((mb, i) => ({ filename: `f${i}.bin`, contentType: "application/octet-stream", content: Buffer.alloc(mb * 1024 * 1024) })) })),
  );
  expect(fe.attachments[0]).toBe("The attachments add up to 11 MB; the limit is 10 MB in total. Remove some, or share large files by link.");
  const q = await queueEmail(t.db, a.member, email({ attachments: [{ filename: "C:\\Users\\me\\notes.txt", contentType: "text/plain", content: Buffer.from("hi") }] }));
  const [att] = await t.db.select().from(outboxAttachments).where(eq(outboxAttachments.outboxId, q.id));
  expect(att).toMatchObject({ filename: "notes.txt", contentType: "text/plain" });
});

test("who may send: the mailbox's owner or mailbox:write — a member cannot send from someone else's mailbox", async () => {
  await expect(queueEmail(t.db, a.member, email({ mailboxId: otherBox }))).rejects.toMatchObject({ code: "forbidden" });
  await expect(queueEmail(t.db, a.member, email({ mailboxId: crypto.randomUUID() }))).rejects.toMatchObject({ code: "forbidden" });
  await expect(queueEmail(t.db, null, email())).rejects.toMatchObject({ code: "unauthenticated" });
  // A manager (mailbox:write) may send from any mailbox; the owner of a queue from that queue.
  await expect(queueEmail(t.db, a.manager, email({ mailboxId: otherBox }))).resolves.toMatchObject({ messageId: expect.stringMatching(/@example\.com>$/) });
  const queue = await makeMailbox(t.db, { ownerId: a.member.id, emailAddress: `support.${crypto.randomUUID().slice(0, 6)}@help.example.net` });
  await enableSending(t.db, queue, profileId, LOGIN);
  await expect(queueEmail(t.db, a.member, email({ mailboxId: queue }))).resolves.toMatchObject({ messageId: expect.stringMatching(/@help\.example\.net>$/) });
  await expect(queueEmail(t.db, a.other, email({ mailboxId: queue }))).rejects.toMatchObject({ code: "forbidden" });
});

test.each([
  ["delivery none", { outgoingDelivery: "none" as const }, /turned off for this mailbox/],
  ["email router", { outgoingDelivery: "email_router" as const }, /delivered by the email router/],
  ["not enabled yet", { outgoingEnabled: false, outgoingStatus: "not_run" as const }, /not been enabled yet — run Test & enable/],
  ["disabled after a failure", { outgoingEnabled: false, outgoingStatus: "failure" as const }, /disabled after a failure/],
  ["not approved", { approvedAt: null }, /not approved yet/],
])("a mailbox that cannot send says why (%s), in the form and in the refusal", async (_name, change, reason) => {
  const queue = await makeMailbox(t.db, { ownerId: a.member.id });
  await enableSending(t.db, queue, profileId, LOGIN);
  await t.db.update(mailboxes).set(change).where(eq(mailboxes.id, queue));
  const draft = await composeDraft(t.db, a.member, { mailboxId: queue });
  expect(english(draft.mailbox.refusal)).toMatch(reason);
  await expect(refusedInEnglish(queueEmail(t.db, a.member, email({ mailboxId: queue })))).rejects.toMatchObject({ code: "invalid", text: expect.stringMatching(reason) });
});

test("reply: to the Reply-To (else the sender), Re: subject, quoted text; In-Reply-To and References on the wire", async () => {
  const stored = await storeTestEmail(sql, memberBox, {
    from: { name: "Quinn", address: "quinn@example.com" },
    replyTo: "replies@example.com",
    to: a.member.email,
    subject: "Budget",
    text: "Can you check the budget?\n\nThanks",
    messageId: "<budget-2@example.com>",
    references: ["<budget-0@example.com>", "<budget-1@example.com>"],
    inReplyTo: "<budget-1@example.com>",
  });
  const draft = await composeDraft(t.db, a.member, { mailboxId: memberBox, replyTo: String(stored.id) });
  expect(draft).toMatchObject({ mode: "reply", to: "replies@example.com", subject: "Re: Budget", sourceEmailId: stored.id });
  expect(draft.body).toMatch(/wrote:\n> Can you check the budget\?\n>\n> Thanks$/);
  expect(draft.body).toContain("Quinn <quinn@example.com> wrote:");

  const q = await queueEmail(t.db, a.member, email({ to: draft.to, subject: draft.subject, body: `Checked.${draft.body}`, replyToEmailId: String(stored.id) }));
  await sendDueEmails(t.db, testSendOptions("reply-worker"));
  const got = await receivedOnce(smtp, q.messageId);
  expect(got.parsed.inReplyTo).toBe("<budget-2@example.com>");
  expect(got.parsed.references).toEqual(["<budget-0@example.com>", "<budget-1@example.com>", "<budget-2@example.com>"]);
  expect(got.parsed.subject).toBe("Re: Budget");
  expect(got.parsed.text).toContain("> Can you check the budget?");

  // "Re: Re:" is not stacked, and a message without Reply-To is answered to its sender.
  const again = await storeTestEmail(sql, memberBox, { from: "zed@example.com", to: a.member.email, subject: "RE: Budget", text: "ok" });
  expect(await composeDraft(t.db, a.member, { mailboxId: memberBox, replyTo: String(again.id) })).toMatchObject({ to: "zed@example.com", subject: "RE: Budget" });
});

test("forward: Fwd: subject, the original's headers and text, and its attachments taken from the raw source, byte for byte", async () => {
  const pdf = crypto.randomBytes(120_000);
  const png = crypto.randomBytes(5_000);
  const stored = await storeTestEmail(sql, memberBox, {
    from: "quinn@example.com",
    to: a.member.email,
    subject: "Figures",
    text: "See attached.",
    attachments: [
      { filename: "figures.pdf", content: pdf, contentType: "application/pdf" },
      { filename: "chart.png", content: png, contentType: "image/png" },
    ],
  });
  const draft = await composeDraft(t.db, a.member, { mailboxId: memberBox, forward: String(stored.id) });
  expect(draft).toMatchObject({ mode: "forward", to: "", subject: "Fwd: Figures" });
  expect(draft.body).toContain("---------- Forwarded message ----------\nFrom: quinn@example.com");
  expect(draft.body).toContain("Subject: Figures");
  expect(draft.body).toMatch(/See attached\.$/);
  expect(draft.forwardAttachments.map((x) => [x.filename, x.sizeBytes])).toEqual([
    ["figures.pdf", 120_000],
    ["chart.png", 5_000],
  ]);

  const extra = Buffer.from("my notes");
  const q = await queueEmail(t.db, a.member, {
    ...email({ to: "boss@example.org", subject: draft.subject, body: `FYI${draft.body}` }),
    forwardEmailId: String(stored.id),
    forwardAttachments: draft.forwardAttachments.map((x) => x.position),
    attachments: [{ filename: "notes.txt", contentType: "text/plain", content: extra }],
  });
  await sendDueEmails(t.db, testSendOptions("forward-worker"));
  const got = await receivedOnce(smtp, q.messageId);
  expect(got.parsed.subject).toBe("Fwd: Figures");
  expect(got.parsed.inReplyTo).toBeUndefined();
  expect(got.parsed.attachments.map((x) => x.filename)).toEqual(["figures.pdf", "chart.png", "notes.txt"]);
  expect(got.parsed.attachments[0].content.equals(pdf)).toBe(true);
  expect(got.parsed.attachments[1].content.equals(png)).toBe(true);
  expect(got.parsed.attachments[2].content.equals(extra)).toBe(true);

  // Unticked attachments stay behind.
  const q2 = await queueEmail(t.db, a.member, { ...email(), forwardEmailId: String(stored.id), forwardAttachments: [draft.forwardAttachments[1].position] });
  const rows = await t.db.select({ filename: outboxAttachments.filename }).from(outboxAttachments).where(eq(outboxAttachments.outboxId, q2.id));
  expect(rows.map((r) => r.filename)).toEqual(["chart.png"]);
});

test("reply and forward only from messages the member may read, in the mailbox they send from", async () => {
  const theirs = await storeTestEmail(sql, otherBox, { from: "x@example.com", to: a.other.email, subject: "Private", text: "secret" });
  await expect(composeDraft(t.db, a.member, { mailboxId: memberBox, replyTo: String(theirs.id) })).rejects.toMatchObject({ code: "not_found" });
  await expect(queueEmail(t.db, a.member, { ...email(), forwardEmailId: String(theirs.id) })).rejects.toMatchObject({ code: "not_found" });
  await expect(composeDraft(t.db, a.member, { mailboxId: memberBox, forward: "not-a-number" })).rejects.toMatchObject({ code: "not_found" });
});

test("the Sent list: newest first, paged, with status, attempts, next try, reason and the server's reply; only for those who may read the mailbox", async () => {
  const queue = await makeMailbox(t.db, { ownerId: a.member.id });
  await enableSending(t.db, queue, profileId, LOGIN);
  for (let i = 0; i < 5; i++) await queueEmail(t.db, a.member, email({ mailboxId: queue, subject: `Numbered ${i}` }));
  await sendDueEmails(t.db, testSendOptions("list-worker", { claimLimit: 2 }));
  const page1 = await listSent(t.db, a.member, { mailboxId: queue, pageSize: 3 });
  expect(page1.total).toBe(5);
  expect(page1.rows.map((r) => r.subject)).toEqual(["Numbered 4", "Numbered 3", "Numbered 2"]);
  const page2 = await listSent(t.db, a.member, { mailboxId: queue, pageSize: 3, page: 2 });
  expect(page2.rows.map((r) => r.subject)).toEqual(["Numbered 1", "Numbered 0"]);
  // Past the end, or a page no number can hold: the last page.
  for (const page of [3, 401, "1e300", "99999999999999999999"]) {
    const past = await listSent(t.db, a.member, { mailboxId: queue, pageSize: 3, page });
    expect({ page: past.page, subjects: past.rows.map((r) => r.subject) }, String(page)).toEqual({ page: 2, subjects: ["Numbered 1", "Numbered 0"] });
  }
  const sent = page2.rows.find((r) => r.status === "sent")!;
  expect(sent.serverResponse).toMatch(/^250/);
  expect(sent.sentAt).toBeInstanceOf(Date);
  expect(sent.nextAttemptAt).toBeNull();
  const queued = page1.rows.find((r) => r.status === "queued")!;
  expect(queued.nextAttemptAt).toBeInstanceOf(Date);
  expect(queued.attempts).toBe(0);

  await expect(listSent(t.db, a.other, { mailboxId: queue })).rejects.toMatchObject({ code: "not_found" });
  await expect(listSent(t.db, a.manager, { mailboxId: queue })).resolves.toMatchObject({ total: 5 });
});
