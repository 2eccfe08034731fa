// The worker's sending half of issue 6 against the real SMTP server (smtp-server,
// STARTTLS and implicit TLS, signed by a test CA the worker trusts): what arrives,
// retries, refusals, authentication failure and the connection budget.
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { outbox } from "../../../db/schema/outbox";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { claimDueEmails } from "../../../lib/outbox/claim-due-emails";
import { queueEmail } from "../../../lib/outbox/queue-email";
import { sendDueEmails } from "../../../lib/outbox/send-due-emails";
import { createTestDb, type TestDb } from "../../harness/db";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { startCountingProxy } from "../../harness/tcp";
import { createTestPki, type TestPki } from "../../harness/tls";
import { makeActors, mailboxRow, type Actors } from "../mailboxes/fixtures";
import { alertsFor, enableSending, mailboxOfUser, outboxRow, receivedOnce, smtpProfile, testSendOptions } from "./outbox-fixtures";
import { refusedInEnglish } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

const MEMBER_LOGIN = { user: "member-login", password: "member-pw" };
const RELAY_LOGIN = { user: "relay", password: "relay-pw" };

let t: TestDb;
let a: Actors;
let pki: TestPki;
let smtp: TestSmtp;
let profileOwner: string;
let worker = 0;
const options = (o = {}) => testSendOptions(`test-worker-${++worker}`, o);

beforeAll(async () => {
  pki = createTestPki();
  vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);
  smtp = await startSmtpServer({ pki, users: { [MEMBER_LOGIN.user]: MEMBER_LOGIN.password, [RELAY_LOGIN.user]: RELAY_LOGIN.password } });
  t = await createTestDb();
  a = await makeActors(t.db);
  profileOwner = a.admin.id;
});
afterAll(async () => {
  await smtp?.stop();
  await t?.close();
  vi.unstubAllEnvs();
});
beforeEach(() => {
  smtp.received.length = 0;
  smtp.failNext(0, 450, "");
});

/** The member's own mailbox, sending through the test server with the given TLS and credentials. */
async function memberMailbox(o: { tls?: boolean; credentials?: "mailbox" | "profile"; password?: string; port?: number; maxConnections?: number } = {}) {
  const fromProfile = o.credentials === "profile";
  const profileId = await smtpProfile(t.db, { smtp, tls: o.tls, port: o.port, maxConnections: o.maxConnections, ownerId: profileOwner, credentials: fromProfile ? RELAY_LOGIN : undefined });
  const mailboxId = await mailboxOfUser(t.db, a.member.id);
  await enableSending(t.db, mailboxId, profileId, fromProfile ? undefined : { user: MEMBER_LOGIN.user, password: o.password ?? MEMBER_LOGIN.password });
  return mailboxId;
}

test.each([
  ["STARTTLS, credentials from the mailbox", { tls: false, credentials: "mailbox" as const }, MEMBER_LOGIN.user],
  ["implicit TLS, credentials from the profile", { tls: true, credentials: "profile" as const }, RELAY_LOGIN.user],
])("a plain email over %s arrives exactly as written, and is recorded sent with the server's reply", async (_name, setup, login) => {
  const mailboxId = await memberMailbox(setup);
  const queued = await queueEmail(t.db, a.member, {
    mailboxId,
    to: `"Doe, Jane" <jane@example.org>, bob@example.net`,
    cc: "carol@example.com",
    bcc: "hidden@example.com",
    subject: "Quarterly numbers — 四半期",
    body: "Hello Jane,\n\nthe numbers are attached.\n.\nA line with a lone dot above.\n",
  });
  expect(queued.messageId).toMatch(new RegExp(`^<[0-9a-f-]{36}@example\\.com>$`));
  expect((await outboxRow(t.db, queued.id)).status).toBe("queued");

  const result = await sendDueEmails(t.db, options());
  expect(result).toMatchObject({ claimed: 1, sent: 1 });

  const got = await receivedOnce(smtp, queued.messageId);
  expect(got.user).toBe(login);
  expect(got.from).toBe(a.member.email);
  expect(got.to).toEqual(["jane@example.org", "bob@example.net", "carol@example.com", "hidden@example.com"]);
  expect(got.parsed.from?.value).toEqual([{ name: a.member.name, address: a.member.email }]);
  expect(got.parsed.to && !Array.isArray(got.parsed.to) ? got.parsed.to.value : null).toEqual([
    { name: "Doe, Jane", address: "jane@example.org" },
    { name: "", address: "bob@example.net" },
  ]);
  expect(got.parsed.cc && !Array.isArray(got.parsed.cc) ? got.parsed.cc.text : null).toBe("carol@example.com");
  expect(got.parsed.headers.has("bcc")).toBe(false);
  expect(got.raw.toString("latin1")).not.toContain("hidden@example.com");
  expect(got.parsed.subject).toBe("Quarterly numbers — 四半期");
  expect(got.parsed.text).toBe("Hello Jane,\n\nthe numbers are attached.\n.\nA line with a lone dot above.\n");
  expect(got.parsed.attachments).toHaveLength(0);

  const row = await outboxRow(t.db, queued.id);
  expect(row).toMatchObject({ status: "sent", attempts: 1, lastError: null, leaseOwner: null });
  expect(row.serverResponse).toMatch(/^250\b.*Message accepted/);
  expect(row.sentAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  expect(got.parsed.date?.getTime()).toBe(Math.floor(row.createdAt.getTime() / 1000) * 1000);
});

test.each([
  ["STARTTLS, credentials from the profile", { tls: false, credentials: "profile" as const }],
  ["implicit TLS, credentials from the mailbox", { tls: true, credentials: "mailbox" as const }],
])("attachments over %s arrive byte for byte", async (_name, setup) => {
  const mailboxId = await memberMailbox(setup);
  const pdf = crypto.randomBytes(300_000);
  const csv = Buffer.from("name,amount\nJane,12\n", "utf8");
  const queued = await queueEmail(t.db, a.member, {
    mailboxId,
    to: "jane@example.org",
    subject: "Files",
    body: "Two files.",
    attachments: [
      { filename: "Report Q1 (final).pdf", contentType: "application/pdf", content: pdf },
      { filename: "請求書.csv", contentType: "text/csv", content: csv },
    ],
  });
  await sendDueEmails(t.db, options());
  const got = await receivedOnce(smtp, queued.messageId);
  expect(got.parsed.text?.trim()).toBe("Two files.");
  expect(got.parsed.attachments.map((x) => [x.filename, x.contentType])).toEqual([
    ["Report Q1 (final).pdf", "application/pdf"],
    ["請求書.csv", "text/csv"],
  ]);
  expect(got.parsed.attachments[0].content.equals(pdf)).toBe(true);
  expect(got.parsed.attachments[1].content.equals(csv)).toBe(true);
  expect((await outboxRow(t.db, queued.id)).status).toBe("sent");
});

test("a server that answers 4xx twice and then accepts: retried with exponential backoff, sent on the third attempt", async () => {
  const mailboxId = await memberMailbox();
  const queued = await queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: "Retry me", body: "Hi" });
  smtp.failNext(2, 451, "4.3.0 Mailbox temporarily unavailable");
  const o = options({ retryBaseMs: 300, retryCapMs: 10_000 });

  const delays: Array<[number, number]> = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    // next_attempt_at is the database's now() + the delay: bracket that now() by the database clock.
    const before = await dbNow();
    expect(await sendDueEmails(t.db, o)).toMatchObject({ claimed: 1, retrying: 1 });
    const after = await dbNow();
    const row = await outboxRow(t.db, queued.id);
    expect(row).toMatchObject({ status: "retrying", attempts: attempt });
    expect(row.lastError).toMatch(/temporary failure.*will retry/i);
    expect(row.serverResponse).toBe("451 4.3.0 Mailbox temporarily unavailable");
    delays.push([row.nextAttemptAt.getTime() - after, row.nextAttemptAt.getTime() - before]);
    // Not due before its time.
    expect(await claimDueEmails(t.db, { workerId: "peek", limit: 10, leaseMs: 1000 })).toEqual([]);
    await waitUntil(row.nextAttemptAt);
  }
  // 300 ms, then 600 ms (no jitter here): each exactly, between the database times read before and after the pass.
  for (const [i, expected] of [300, 600].entries()) {
    expect(delays[i][0], `retry ${i + 1}`).toBeLessThanOrEqual(expected);
    expect(delays[i][1], `retry ${i + 1}`).toBeGreaterThanOrEqual(expected);
  }

  expect(await sendDueEmails(t.db, o)).toMatchObject({ claimed: 1, sent: 1 });
  const row = await outboxRow(t.db, queued.id);
  expect(row).toMatchObject({ status: "sent", attempts: 3, lastError: null });
  expect(row.serverResponse).toMatch(/^250/);
  await receivedOnce(smtp, queued.messageId);
});

test("a 5xx refusal fails the email with the server's text and alerts the owner; the mailbox keeps sending", async () => {
  const mailboxId = await memberMailbox();
  const refused = await queueEmail(t.db, a.member, { mailboxId, to: "nobody@example.org", subject: "Refused", body: "Hi" });
  smtp.failNext(1, 554, "5.7.1 Message rejected as spam");
  expect(await sendDueEmails(t.db, options())).toMatchObject({ claimed: 1, failed: 1 });
  const row = await outboxRow(t.db, refused.id);
  expect(row).toMatchObject({ status: "failed", attempts: 1, serverResponse: "554 5.7.1 Message rejected as spam" });
  expect(row.lastError).toContain("rejected the message");
  expect(row.lastError).toContain("554 5.7.1 Message rejected as spam");
  const alerts = (await alertsFor(t.db, a.member.id)).filter((x) => x.dedupKey === `outgoing:failed:${refused.id}`);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ severity: "error", mailboxId });
  expect(alerts[0].message).toContain("554 5.7.1 Message rejected as spam");
  expect(smtp.received).toHaveLength(0);

  // Only that message: the mailbox is still enabled and the next email goes out.
  expect((await mailboxRow(t.db, mailboxId)).outgoingEnabled).toBe(true);
  const next = await queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: "Fine", body: "Hi" });
  expect(await sendDueEmails(t.db, options())).toMatchObject({ sent: 1 });
  await receivedOnce(smtp, next.messageId);
});

test("a wrong password fails the email, disables outgoing for the mailbox and alerts its owner and the profile owner; other mail waits", async () => {
  const mailboxId = await memberMailbox({ password: "wrong-password" });
  const first = await queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: "One", body: "Hi" });
  const second = await queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: "Two", body: "Hi" });
  const authBefore = smtp.authCount;

  await sendDueEmails(t.db, options());
  const rows = [await outboxRow(t.db, first.id), await outboxRow(t.db, second.id)];
  const failed = rows.filter((r) => r.status === "failed");
  expect(failed).toHaveLength(1);
  expect(failed[0].lastError).toMatch(/Authentication failed — check the mailbox's user name and password/);
  expect(failed[0].serverResponse).toMatch(/^535/);
  // The other one was never tried with the bad password again, or was given back: it waits, queued.
  const waiting = rows.find((r) => r.status !== "failed")!;
  expect(waiting).toMatchObject({ status: "queued", attempts: 0, leaseOwner: null });
  expect(smtp.authCount - authBefore).toBeLessThanOrEqual(2);

  const m = await mailboxRow(t.db, mailboxId);
  expect(m).toMatchObject({ outgoingEnabled: false, outgoingStatus: "failure" });
  for (const who of [a.member.id, profileOwner]) {
    const [alert] = (await alertsFor(t.db, who)).filter((x) => x.dedupKey === `outgoing:disabled:${mailboxId}`);
    expect(alert).toMatchObject({ severity: "error", mailboxId });
    expect(alert.message).toContain("Authentication failed");
    expect(alert.detail).not.toContain("wrong-password");
  }
  // Nothing more is claimed for a disabled mailbox, and the form says why.
  expect(await sendDueEmails(t.db, options())).toMatchObject({ claimed: 0 });
  await expect(refusedInEnglish(queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: "Three", body: "Hi" }))).rejects.toMatchObject({
    text: expect.stringMatching(/disabled after a failure.*Test & enable/),
  });
  expect(smtp.received).toHaveLength(0);

  // Fixed and enabled again (as Test & enable does): the waiting email goes out.
  await enableSending(t.db, mailboxId, m.profileId!, MEMBER_LOGIN);
  expect(await sendDueEmails(t.db, options())).toMatchObject({ claimed: 1, sent: 1 });
  await receivedOnce(smtp, waiting.messageId);
});

test("sessions are pooled within the profile's maximum concurrent connections", async () => {
  const proxy = await startCountingProxy({ host: smtp.host, port: smtp.ports.starttls });
  try {
    const mailboxId = await memberMailbox({ port: proxy.port, maxConnections: 2 });
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: `Pooled ${i}`, body: "Hi" })).messageId);
    const authBefore = smtp.authCount;
    expect(await sendDueEmails(t.db, options())).toMatchObject({ claimed: 12, sent: 12 });
    expect(proxy.maxConcurrent).toBeLessThanOrEqual(2);
    // Reused sessions: one sign-in per connection, not per email.
    expect(smtp.authCount - authBefore).toBeLessThanOrEqual(2);
    for (const id of ids) await receivedOnce(smtp, id);
    // The slots were given back.
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from connection_slots where key like '%:smtp'`);
    expect(n).toBe(0);
  } finally {
    await proxy.stop();
  }
});

test("an email whose worker died mid-send is taken over when its lease expires, with the same Message-ID", async () => {
  const mailboxId = await memberMailbox();
  const queued = await queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: "Orphan", body: "Hi" });
  const claimed = await claimDueEmails(t.db, { workerId: "dead-worker", limit: 10, leaseMs: 60_000 });
  expect(claimed.map((c) => c.id)).toEqual([queued.id]);
  // Still leased: nobody else takes it.
  expect(await sendDueEmails(t.db, options())).toMatchObject({ claimed: 0 });
  await t.db.update(outbox).set({ leaseExpiresAt: new Date(Date.now() - 1000) }).where(eq(outbox.id, queued.id));
  expect(await sendDueEmails(t.db, options())).toMatchObject({ claimed: 1, sent: 1 });
  await receivedOnce(smtp, queued.messageId);
  expect(await outboxRow(t.db, queued.id)).toMatchObject({ status: "sent", attempts: 2 });
});

test("mail of a mailbox whose outgoing delivery is no longer server-side sync is not sent", async () => {
  const mailboxId = await memberMailbox();
  const queued = await queueEmail(t.db, a.member, { mailboxId, to: "jane@example.org", subject: "Later", body: "Hi" });
  await t.db.update(mailboxes).set({ outgoingDelivery: "email_router" }).where(eq(mailboxes.id, mailboxId));
  expect(await sendDueEmails(t.db, options())).toMatchObject({ claimed: 0 });
  expect((await outboxRow(t.db, queued.id)).status).toBe("queued");
  await t.db.update(mailboxes).set({ outgoingDelivery: "server_side_sync" }).where(eq(mailboxes.id, mailboxId));
  expect(await sendDueEmails(t.db, options())).toMatchObject({ sent: 1 });
});

/** Waits until the database's clock (the one that decides what is due) has passed `when`. */
async function waitUntil(when: Date): Promise<void> {
  for (let ms = when.getTime() - (await dbNow()); ms >= 0; ms = when.getTime() - (await dbNow())) await new Promise((r) => setTimeout(r, ms + 5));
}

/** The database's clock, in ms. */
async function dbNow(): Promise<number> {
  const [r] = await t.db.execute<{ now: string }>(sql`select clock_timestamp()::text as now`);
  return new Date(r.now).getTime();
}
