// OAuth 2.0 end to end with real components: the test authorization server
// (oidc-provider), Dovecot validating XOAUTH2/OAUTHBEARER by introspection, and
// smtp-server doing the same for XOAUTH2. Sync (IMAP, POP3), send and test &
// enable go through the credential seam; tokens refresh, die and come back.
import { eq } from "drizzle-orm";
import { afterEach, expect, test } from "vitest";
import { sql } from "drizzle-orm";
import { oauthCredentials } from "../../../db/schema/oauth";
import { runMailboxTest } from "../../../lib/mailboxes/run-mailbox-test";
import { sendDueEmails } from "../../../lib/outbox/send-due-emails";
import { tokenRefreshesTotal } from "../../../lib/metrics/process-metrics";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import { makeDue, storedCounts, testMessage, testSyncOptions } from "../sync/sync-fixtures";
import { testSendOptions } from "../outbox/outbox-fixtures";
import { alertsWith, connectMailbox, mailboxState, oauthMailbox, oauthProfile, queueTestEmail, useOAuthMailSuite } from "./oauth-fixtures";

const s = useOAuthMailSuite();
// Each test's mailboxes stop being due afterwards, so a later test's sync and counts see only its own.
afterEach(async () => {
  await s.t.db.execute(sql`update mailboxes set incoming_enabled = false, outgoing_enabled = false, next_sync_at = null`);
});
let n = 0;
const sync = () => syncDueMailboxes(s.t.db, testSyncOptions(`oauth-sync-${++n}`));
const send = () => sendDueEmails(s.t.db, testSendOptions(`oauth-send-${++n}`));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refreshes = () => s.oauth.tokenRequests().refresh_token ?? 0;

async function newAccount(name: string): Promise<string> {
  const address = `${name}@example.test`;
  // A password exists for the login too: OAuth must never fall back to it.
  await s.dovecot.addUser(address, `${name}-password`);
  return address;
}

test("IMAP sync and SMTP send with a delegated sign-in: XOAUTH2/OAUTHBEARER tokens, no password anywhere", async () => {
  const address = await newAccount("imap-user");
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address);
  await connectMailbox(s, mailboxId, profileId, address);
  await s.dovecot.deliverMany(address, [testMessage(1, { tag: "imap-oauth" }), testMessage(2, { tag: "imap-oauth" })]);
  const before = refreshes();

  const [outcome] = await sync();
  expect(outcome).toMatchObject({ mailboxId, result: "synced", stored: 2 });
  const messageId = await queueTestEmail(s.t.db, mailboxId);
  expect(await send()).toMatchObject({ sent: 1 });
  const got = s.smtp.received.find((r) => r.raw.toString().includes(messageId));
  expect(got?.user).toBe(address);
  // The access token from the sign-in is reused by sync and send: no refresh yet.
  expect(refreshes()).toBe(before);
});

test("POP3 sync with AUTH XOAUTH2", async () => {
  const address = await newAccount("pop-user");
  const profileId = await oauthProfile(s, { incomingProtocol: "pop3" });
  const mailboxId = await oauthMailbox(s, profileId, address);
  await connectMailbox(s, mailboxId, profileId, address);
  await s.dovecot.deliverMany(address, [testMessage(1, { tag: "pop-oauth" }), testMessage(2, { tag: "pop-oauth" }), testMessage(3, { tag: "pop-oauth" })]);
  const [outcome] = await sync();
  expect(outcome).toMatchObject({ mailboxId, result: "synced", stored: 3 });
  expect((await storedCounts(s.t.db, mailboxId)).rows).toBe(3);
});

test("POP3: a refused token's SASL error challenge is answered, so the refusal comes back at once (not as a timeout)", async () => {
  const address = await newAccount("pop-revoked");
  const profileId = await oauthProfile(s, { incomingProtocol: "pop3" });
  const mailboxId = await oauthMailbox(s, profileId, address);
  await connectMailbox(s, mailboxId, profileId, address);
  await s.oauth.revokeAccount(address);
  const [outcome] = await syncDueMailboxes(s.t.db, testSyncOptions(`oauth-sync-${++n}`, { mailTimeoutMs: 20_000 }));
  expect(outcome).toMatchObject({ mailboxId, result: "disabled", error: { code: "oauth_invalid_grant" } });
});

test("IMAP on the plain port upgraded with STARTTLS, signing in with OAuth", async () => {
  const address = await newAccount("starttls-user");
  const profileId = await oauthProfile(s, { incomingPort: s.dovecot.ports.imap, incomingTls: false });
  const mailboxId = await oauthMailbox(s, profileId, address);
  await connectMailbox(s, mailboxId, profileId, address);
  await s.dovecot.deliver(address, testMessage(1, { tag: "starttls-oauth" }));
  const [outcome] = await sync();
  expect(outcome).toMatchObject({ mailboxId, result: "synced", stored: 1 });
});

test("short-lived access tokens are refreshed before use (rotating the refresh token) and sync and send go on", async () => {
  s.oauth.setTtl({ accessToken: 3 });
  try {
    const address = await newAccount("short-lived");
    const profileId = await oauthProfile(s);
    const mailboxId = await oauthMailbox(s, profileId, address);
    await connectMailbox(s, mailboxId, profileId, address);
    const before = refreshes();
    const [cred0] = await s.t.db.select().from(oauthCredentials).where(eq(oauthCredentials.key, `mailbox:${mailboxId}`));
    for (let round = 1; round <= 3; round++) {
      await sleep(3_100); // the access token has expired
      await s.dovecot.deliver(address, testMessage(round, { tag: "short" }));
      await makeDue(s.t.db, mailboxId);
      const [outcome] = await sync();
      expect(outcome).toMatchObject({ result: "synced", stored: 1 });
      await queueTestEmail(s.t.db, mailboxId, `round ${round}`);
      expect(await send()).toMatchObject({ sent: 1 });
    }
    // One refresh per expiry: sync refreshed, send reused that token.
    const made = refreshes() - before;
    expect(made).toBe(3);
    const [cred] = await s.t.db.select().from(oauthCredentials).where(eq(oauthCredentials.key, `mailbox:${mailboxId}`));
    expect(cred.refreshTokenSealed).not.toBe(cred0.refreshTokenSealed);
    console.log(`[figures] short-lived tokens: 3 expiries → ${made} refresh requests for 3 syncs + 3 sends`);
  } finally {
    s.oauth.setTtl({ accessToken: 3600 });
  }
});

test("a revoked sign-in disables the mailbox and alerts its owner and the profile owner once, with a sign-in-again alert", async () => {
  const address = await newAccount("revoked");
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address);
  s.oauth.setTtl({ accessToken: 1 });
  await connectMailbox(s, mailboxId, profileId, address);
  s.oauth.setTtl({ accessToken: 3600 });
  await s.oauth.revokeAccount(address);
  await sleep(1_100);

  const [outcome] = await sync();
  expect(outcome).toMatchObject({ mailboxId, result: "disabled", error: { kind: "permanent", code: "oauth_invalid_grant" } });
  await queueTestEmail(s.t.db, mailboxId);
  await send();
  await sync(); // not due any more: nothing happens
  const m = await mailboxState(s.t.db, mailboxId);
  expect([m.incomingEnabled, m.outgoingEnabled]).toEqual([false, false]);
  for (const owner of [s.mailboxOwner, s.profileOwner]) {
    const found = await alertsWith(s.t.db, owner, `oauth:refresh:${mailboxId}`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "error" });
    expect(found[0].message).toMatch(/expired or was revoked/);
  }
  // The dead grant is not kept: the mailbox shows as needing a new sign-in.
  const [cred] = await s.t.db.select().from(oauthCredentials).where(eq(oauthCredentials.key, `mailbox:${mailboxId}`));
  expect([cred.refreshTokenSealed, cred.lastErrorCode]).toEqual([null, "invalid_grant"]);
});

test("a sign-in revoked while its access token still looks valid: the refused token is rechecked with the provider and the alert says sign in again", async () => {
  const address = await newAccount("revoked-early");
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address);
  await connectMailbox(s, mailboxId, profileId, address);
  await s.oauth.revokeAccount(address); // the stored access token has an hour left
  const [outcome] = await sync();
  expect(outcome).toMatchObject({ mailboxId, result: "disabled", error: { code: "oauth_invalid_grant" } });
  for (const owner of [s.mailboxOwner, s.profileOwner]) expect(await alertsWith(s.t.db, owner, `oauth:refresh:${mailboxId}`)).toHaveLength(1);
});

test("an OAuth profile without a sign-in is 'not connected' and never falls back to the mailbox's password", async () => {
  const address = await newAccount("never-signed-in");
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address, { password: "never-signed-in-password" });
  const authBefore = s.smtp.authCount;
  const [outcome] = await sync();
  expect(outcome).toMatchObject({ result: "disabled", error: { code: "oauth_not_connected", form: "mailbox" } });
  await queueTestEmail(s.t.db, mailboxId);
  await send();
  expect(s.smtp.authCount).toBe(authBefore);
  expect((await mailboxState(s.t.db, mailboxId)).outgoingEnabled).toBe(false);
});

test("token endpoint down (503): transient, retried; then the refresh goes through", async () => {
  const address = await newAccount("endpoint-down");
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address);
  s.oauth.setTtl({ accessToken: 1 });
  await connectMailbox(s, mailboxId, profileId, address);
  s.oauth.setTtl({ accessToken: 3600 });
  await sleep(1_100);
  s.oauth.failTokenRequests(1, 503);
  const counted = async (result: "ok" | "failed") => (await tokenRefreshesTotal.get()).values.find((v) => v.labels.result === result && v.labels.provider === "google")?.value ?? 0;
  const [okBefore, failedBefore] = [await counted("ok"), await counted("failed")];
  const [first] = await sync();
  expect(first).toMatchObject({ result: "retrying", error: { kind: "transient", code: "oauth_unavailable" } });
  await makeDue(s.t.db, mailboxId);
  const [second] = await sync();
  expect(second).toMatchObject({ result: "synced" });
  // /metrics counts both (mailroom_token_refreshes_total, published with the worker's heartbeat).
  expect([(await counted("ok")) - okBefore, (await counted("failed")) - failedBefore]).toEqual([1, 1]);
});

test("test & enable signs in with OAuth and enables both directions; a dead sign-in fails it with the reason", async () => {
  const address = await newAccount("test-enable");
  const profileId = await oauthProfile(s);
  const mailboxId = await oauthMailbox(s, profileId, address);
  const before = await runMailboxTest(s.t.db, mailboxId);
  expect(before).toMatchObject({ outcome: "failure", incoming: { status: "failure", code: "oauth_not_connected" }, outgoing: { code: "oauth_not_connected" } });
  await connectMailbox(s, mailboxId, profileId, address);
  const after = await runMailboxTest(s.t.db, mailboxId);
  expect(after).toMatchObject({ outcome: "success", incomingEnabled: true, outgoingEnabled: true });
});

test("app-only, Microsoft style: client credentials with a client secret, and with a certificate (private_key_jwt); XOAUTH2 user = the mailbox address", async () => {
  const address = await newAccount("ms-app");
  s.oauth.addClient({ client_id: "ms-app", client_secret: "ms-app-secret", grant_types: ["client_credentials"], response_types: [], redirect_uris: [] });
  s.oauth.allowApp("ms-app", [address]);
  const profileId = await oauthProfile(s, { credentialMode: "profile", oauthProvider: "microsoft", oauthTenant: "contoso.example", oauthClientId: "ms-app", clientSecret: "ms-app-secret", oauthScopes: "https://outlook.office365.com/.default" });
  const mailboxId = await oauthMailbox(s, profileId, address);
  await s.dovecot.deliver(address, testMessage(1, { tag: "ms-app" }));
  const before = s.oauth.tokenRequests().client_credentials ?? 0;
  expect((await sync())[0]).toMatchObject({ mailboxId, result: "synced", stored: 1 });
  await queueTestEmail(s.t.db, mailboxId);
  expect(await send()).toMatchObject({ sent: 1 });
  expect((s.oauth.tokenRequests().client_credentials ?? 0) - before).toBe(1); // one app token for sync and send

  // The same with a certificate instead of a secret.
  const certAddress = await newAccount("ms-cert");
  const { privateKeyPem, certificatePem } = s.oauth.addCertificateClient("ms-cert-app");
  s.oauth.allowApp("ms-cert-app", [certAddress]);
  const certProfile = await oauthProfile(s, { credentialMode: "profile", oauthProvider: "microsoft", oauthTenant: "contoso.example", oauthClientId: "ms-cert-app", oauthClientSecretSealed: null, certificate: { privateKeyPem, certificatePem }, oauthScopes: "https://outlook.office365.com/.default" });
  const certBox = await oauthMailbox(s, certProfile, certAddress);
  expect(await runMailboxTest(s.t.db, certBox)).toMatchObject({ outcome: "success", incomingEnabled: true, outgoingEnabled: true });
});

test("app-only, Google style: the service account's JWT bearer grant acting as the mailbox's address", async () => {
  const address = await newAccount("google-app");
  const key = s.oauth.addServiceAccount("mailroom@project.iam.example.test");
  const profileId = await oauthProfile(s, { credentialMode: "profile", oauthProvider: "google", oauthClientId: null, oauthClientSecretSealed: null, serviceAccountKey: key, oauthScopes: "https://mail.google.com/" });
  const mailboxId = await oauthMailbox(s, profileId, address);
  await s.dovecot.deliver(address, testMessage(1, { tag: "google-app" }));
  expect((await sync())[0]).toMatchObject({ mailboxId, result: "synced", stored: 1 });
  await queueTestEmail(s.t.db, mailboxId);
  expect(await send()).toMatchObject({ sent: 1 });
  const [cred] = await s.t.db.select().from(oauthCredentials).where(eq(oauthCredentials.key, `app:${profileId}:${address}`));
  expect(cred).toMatchObject({ kind: "app", account: address });
  expect(s.oauth.tokenRequests()["urn:ietf:params:oauth:grant-type:jwt-bearer"]).toBe(1);
});
