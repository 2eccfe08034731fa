// Test & enable end to end (SPEC §3): real Dovecot and SMTP server, real Postgres.
// The classifier is tested on its own (tests/integration/mail); here we check what a
// test does to the mailbox row, what it returns, and which alerts it raises.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { orgSettings } from "../../../db/schema/settings";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { testAndEnableMailboxes } from "../../../lib/mailboxes/test-and-enable-mailboxes";
import type { MailboxTestResult } from "../../../lib/mailboxes/run-mailbox-test";
import { createTestDb, type TestDb } from "../../harness/db";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { closedPort as findClosedPort, startSilentServer } from "../../harness/tcp";
import { makeActor, makeActors, mailboxRow, makeMailbox, makeProfile, type Actors, type ProfileOver } from "./fixtures";
import { english } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
// Short, so the silent-server and plain-to-TLS cases time out quickly.
vi.stubEnv("MAILROOM_MAIL_TIMEOUT_MS", "1500");

let t: TestDb;
let a: Actors;
let dovecot: Dovecot;
let smtp: TestSmtp;
let untrustedSmtp: TestSmtp;
let silent: { port: number; stop: () => Promise<void> };
let closedPort: number;
let profileOwner: string;

const ALICE = "alice-Secret-42";
const BOB = "bob-Secret-42";

beforeAll(async () => {
  dovecot = await startDovecot();
  vi.stubEnv("MAILROOM_EXTRA_CA_FILE", dovecot.pki.caFile);
  await dovecot.addUser("alice", ALICE);
  await dovecot.addUser("bob", BOB);
  smtp = await startSmtpServer({ pki: dovecot.pki, users: { alice: ALICE, bob: BOB } });
  const { untrusted } = dovecot.pki;
  untrustedSmtp = await startSmtpServer({ pki: { ...dovecot.pki, ...untrusted }, users: { alice: ALICE } });
  silent = await startSilentServer();
  closedPort = await findClosedPort();
  t = await createTestDb();
  a = await makeActors(t.db);
  profileOwner = (await makeActor(t.db, "admin", "Pat Profile-Owner")).id;
});
afterAll(async () => {
  await silent?.stop();
  await untrustedSmtp?.stop();
  await smtp?.stop();
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

/** A profile on the test servers (IMAPS + SMTP STARTTLS unless overridden) and one approved mailbox owned by the member. */
async function setup(profile: ProfileOver = {}, mailbox: { userName?: string; password?: string | null; approved?: boolean } = {}) {
  const profileId = await makeProfile(t.db, { incomingPort: dovecot.ports.imaps, outgoingPort: smtp.ports.starttls, ownerId: profileOwner, ...profile });
  const id = await makeMailbox(t.db, {
    profileId,
    ownerId: a.member.id,
    userName: mailbox.userName ?? "alice",
    password: mailbox.password === null ? undefined : (mailbox.password ?? ALICE),
    approved: mailbox.approved,
  });
  return { id, profileId };
}

async function run(id: string): Promise<MailboxTestResult> {
  const out = await testAndEnableMailboxes(t.db, a.admin, { ids: [id] });
  if (out.kind !== "results") throw new Error("expected inline results");
  return out.results[0];
}

const alertsOf = (mailboxId: string) => t.db.select().from(alerts).where(eq(alerts.mailboxId, mailboxId));

describe("success writes the statuses, enables both directions and tells the owner", () => {
  test.each([
    ["IMAPS + SMTP STARTTLS", {}],
    ["IMAP with STARTTLS + SMTPS", { incomingPort: 0, incomingTls: false, outgoingPort: 1, outgoingTls: true }],
    ["POP3S + SMTP STARTTLS", { incomingProtocol: "pop3" as const, incomingPort: 2 }],
  ])("%s", async (_name, over) => {
    const ports: Record<number, number> = { 0: dovecot.ports.imap, 1: smtp.ports.tls, 2: dovecot.ports.pop3s };
    const profile: ProfileOver = { ...over };
    if (profile.incomingPort !== undefined) profile.incomingPort = ports[profile.incomingPort];
    if (profile.outgoingPort !== undefined) profile.outgoingPort = ports[profile.outgoingPort];
    const { id } = await setup(profile);
    const r = await run(id);
    expect(r).toMatchObject({ outcome: "success", incomingEnabled: true, outgoingEnabled: true, act: "not_supported" });
    expect(r.incoming.status).toBe("success");
    expect(r.outgoing.status).toBe("success");
    expect(english(r.summary)).toBe("Incoming and outgoing email passed the test and are enabled.");
    const m = await mailboxRow(t.db, id);
    expect(m).toMatchObject({ incomingStatus: "success", outgoingStatus: "success", actStatus: "not_supported", incomingEnabled: true, outgoingEnabled: true, lastError: null });
    expect(m.lastTestedAt).toBeInstanceOf(Date);
    // Due for its first sync at once.
    expect(m.nextSyncAt!.getTime()).toBeLessThanOrEqual(Date.now());
    const raised = await alertsOf(id);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ severity: "information", recipientId: a.member.id, title: expect.stringContaining("tested and enabled") });
  });
});

describe("each failure names its cause and field, sets the status, enables only what passed, and alerts both owners", () => {
  const cases: [string, () => ProfileOver, { userName?: string; password?: string }, "incoming" | "outgoing", { code: string; field: string; message: RegExp }][] = [
    ["wrong password", () => ({}), { password: "not-the-password" }, "incoming", { code: "auth_failed", field: "userName", message: /^Authentication failed — check the mailbox's user name and password/ }],
    ["unknown host", () => ({ incomingHost: "no-such-host.invalid" }), {}, "incoming", { code: "host_not_found", field: "incomingHost", message: /The incoming server no-such-host\.invalid was not found — check the incoming server location/ }],
    ["closed port", () => ({ incomingPort: closedPort }), {}, "incoming", { code: "connect_refused", field: "incomingPort", message: /Could not connect to 127\.0\.0\.1:\d+ \(connection refused\) — check the incoming server location and port/ }],
    ["TLS expected, plain offered", () => ({ incomingPort: dovecot.ports.imap, incomingTls: true }), {}, "incoming", { code: "tls_handshake_failed", field: "incomingTls", message: /^TLS handshake with .* failed — the port may expect STARTTLS or no encryption; untick 'Use SSL\/TLS for incoming connection'/ }],
    ["plain expected, TLS offered", () => ({ incomingPort: dovecot.ports.imaps, incomingTls: false }), {}, "incoming", { code: "timeout", field: "incomingTls", message: /did not answer — the port may expect SSL\/TLS from the start; tick 'Use SSL\/TLS for incoming connection'/ }],
    ["untrusted certificate", () => ({ outgoingPort: untrustedSmtp.ports.starttls }), {}, "outgoing", { code: "cert_untrusted", field: "outgoingHost", message: /^Certificate not trusted — the certificate of .* is self-signed/ }],
    ["silent server (timeout)", () => ({ outgoingPort: silent.port }), {}, "outgoing", { code: "timeout", field: "outgoingTls", message: /accepted the connection but did not answer/ }],
  ];
  test.each(cases)("%s", async (_name, profile, mailbox, failing, expected) => {
    const { id, profileId } = await setup(profile(), mailbox);
    const r = await run(id);
    const passing = failing === "incoming" ? "outgoing" : "incoming";
    expect(r.outcome).toBe("failure");
    // A temporary failure (refused, timed out) leaves the direction enabled and retrying; a permanent one disables it.
    const transient = ["connect_refused", "timeout"].includes(expected.code);
    expect(r[failing]).toMatchObject({ status: transient ? "retrying" : "failure", code: expected.code, field: expected.field });
    expect(english(r[failing].message)).toMatch(expected.message);
    // The wrong password fails both directions (same credentials); otherwise the other side passes and is enabled.
    const otherPasses = _name !== "wrong password";
    expect(r[passing].status).toBe(otherPasses ? "success" : "failure");
    const m = await mailboxRow(t.db, id);
    expect(m[`${failing}Status`]).toBe(transient ? "retrying" : "failure");
    expect(m[`${failing}Enabled`]).toBe(transient);
    // Still due, so the worker tries again once the server is back.
    if (transient && failing === "incoming") expect(m.nextSyncAt).not.toBeNull();
    expect(m[`${passing}Enabled`]).toBe(otherPasses);
    expect(m.actStatus).toBe("not_supported");
    expect(m.lastErrorCode).toBe(expected.code);
    expect(m.lastError).toContain(english(r[failing].message));
    expect(m.lastErrorKey).toBe(r.summary.key);
    const raised = await t.db.select().from(alerts).where(and(eq(alerts.mailboxId, id), eq(alerts.severity, transient ? "warning" : "error")));
    const forFailing = raised.filter((x) => x.dedupKey.startsWith(`test-enable:${failing}:`));
    expect(forFailing.map((x) => x.recipientId).sort()).toEqual([a.member.id, profileOwner].sort());
    expect(forFailing[0]).toMatchObject({ profileId, message: english(r[failing].message), messageKey: r[failing].message.key });
    expect(forFailing[0].detail).not.toContain("not-the-password");
    expect(await t.db.select().from(alerts).where(and(eq(alerts.mailboxId, id), eq(alerts.severity, "information")))).toHaveLength(0);
  });

  test("a repeated failure is counted on the same alert, and a later success re-enables the mailbox", async () => {
    const { id } = await setup({}, { password: "wrong-again" });
    await run(id);
    await run(id);
    const errs = (await alertsOf(id)).filter((x) => x.recipientId === a.member.id && x.dedupKey.startsWith("test-enable:incoming:"));
    expect(errs).toHaveLength(1);
    expect(errs[0].count).toBe(2);
    const { setMailboxCredentials } = await import("../../../lib/mailboxes/set-mailbox-credentials");
    await setMailboxCredentials(t.db, a.manager, { id, userName: "alice", password: ALICE, secureChannel: true });
    expect(await run(id)).toMatchObject({ outcome: "success", incomingEnabled: true, outgoingEnabled: true });
    expect(await mailboxRow(t.db, id)).toMatchObject({ incomingStatus: "success", outgoingStatus: "success", lastError: null, lastErrorCode: null });
  });
});

describe("credentials: the profile's or the mailbox's, as the profile says", () => {
  test("credentials in the profile are used, whatever the mailbox holds", async () => {
    const { id } = await setup({ credentialMode: "profile", userName: "bob", password: BOB }, { userName: "alice", password: "stale-wrong-password" });
    const r = await run(id);
    expect(r).toMatchObject({ outcome: "success", incomingEnabled: true, outgoingEnabled: true });
  });

  test("a wrong password in the profile points at the profile form", async () => {
    const { id } = await setup({ credentialMode: "profile", userName: "bob", password: "wrong" }, { password: ALICE });
    const r = await run(id);
    expect(r.incoming).toMatchObject({ status: "failure", code: "auth_failed", form: "profile" });
  });

  test("credentials per mailbox: the mailbox's own user name and password are used", async () => {
    const { id } = await setup({ credentialMode: "mailbox", userName: "bob", password: BOB }, { userName: "alice", password: ALICE });
    expect((await run(id)).outcome).toBe("success");
    const { id: wrong } = await setup({ credentialMode: "mailbox" }, { userName: "bob", password: ALICE });
    const r = await run(wrong);
    expect(r.incoming).toMatchObject({ status: "failure", code: "auth_failed", field: "userName", form: "mailbox" });
  });

  test("no password on a mailbox whose profile needs one: a configuration failure naming the password field, nothing dialled", async () => {
    const before = smtp.authCount;
    const { id } = await setup({}, { password: null });
    const r = await run(id);
    expect(r.incoming).toMatchObject({ status: "failure", code: "configuration", field: "password", form: "mailbox" });
    expect(english(r.incoming.message)).toMatch(/has no password/);
    expect(smtp.authCount).toBe(before);
    expect(await mailboxRow(t.db, id)).toMatchObject({ incomingStatus: "failure", outgoingStatus: "failure", incomingEnabled: false });
  });
});

describe("approval and delivery", () => {
  test("while only approved mailboxes are processed, an unapproved one is not tested and says it waits for approval", async () => {
    const before = smtp.authCount;
    const { id } = await setup({}, { approved: false });
    const r = await run(id);
    expect(r.outcome).toBe("waiting_approval");
    expect(english(r.summary)).toMatch(/Waiting for email approval/);
    expect(smtp.authCount).toBe(before);
    expect(await mailboxRow(t.db, id)).toMatchObject({ incomingStatus: "not_run", outgoingStatus: "not_run", incomingEnabled: false, lastTestedAt: null });
    expect(await alertsOf(id)).toHaveLength(0);

    // With the org setting off, the same mailbox is tested.
    await t.db.insert(orgSettings).values({ id: 1, processOnlyApproved: false }).onConflictDoUpdate({ target: orgSettings.id, set: { processOnlyApproved: false } });
    try {
      expect((await run(id)).outcome).toBe("success");
    } finally {
      await t.db.update(orgSettings).set({ processOnlyApproved: true }).where(eq(orgSettings.id, 1));
    }
  });

  test("only directions on server-side sync are tested and enabled", async () => {
    const { id } = await setup();
    const { mailboxes } = await import("../../../db/schema/mailboxes");
    await t.db.update(mailboxes).set({ outgoingDelivery: "email_router" }).where(eq(mailboxes.id, id));
    const r = await run(id);
    expect(r).toMatchObject({ outcome: "success", incomingEnabled: true, outgoingEnabled: false });
    expect(r.outgoing.status).toBe("not_run");
    expect(await mailboxRow(t.db, id)).toMatchObject({ incomingStatus: "success", outgoingStatus: "not_run", outgoingEnabled: false });
  });
});

describe("who may test & enable", () => {
  test("admins and mailbox managers may; members (even the owner) and signed-out callers may not", async () => {
    const { id } = await setup();
    expect((await testAndEnableMailboxes(t.db, a.manager, { ids: [id] })).kind).toBe("results");
    await expect(testAndEnableMailboxes(t.db, a.member, { ids: [id] })).rejects.toMatchObject({ code: "forbidden" });
    await expect(testAndEnableMailboxes(t.db, a.other, { ids: [id] })).rejects.toMatchObject({ code: "forbidden" });
    await expect(testAndEnableMailboxes(t.db, null, { ids: [id] })).rejects.toMatchObject({ code: "unauthenticated" });
  });

  test("more than a few mailboxes become a background job instead of waiting", async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await setup()).id);
    const out = await testAndEnableMailboxes(t.db, a.admin, { ids });
    expect(out).toMatchObject({ kind: "job", total: 6 });
  });
});
