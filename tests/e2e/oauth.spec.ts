// OAuth 2.0 sign-in in Chromium (issue 11), English and Japanese: a mailbox's owner
// presses "Sign in with Microsoft" on the mailbox page, signs in and consents at a
// real authorization server on loopback (tests/harness/oauth-server.ts, the profile's
// endpoints pointed at it), and comes back to "Connected as … since …"; signing in
// with another account is refused, naming that account, and nothing is stored.
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { sealSecret } from "../../lib/crypto/seal-secret";
import * as oauthMessages from "../../lib/i18n/messages/oauth";
import { startDovecot } from "../harness/dovecot";
import { startOAuthServer, type OAuthServer } from "../harness/oauth-server";
import { startSmtpServer } from "../harness/smtp";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";
import { runPki } from "./support/run-pki";

test.describe.configure({ mode: "serial" });

const tag = crypto.randomUUID().slice(0, 6);
let server: OAuthServer;
let profileId: string;

test.beforeAll(async ({ baseURL }) => {
  server = await startOAuthServer();
  // MAILROOM_PUBLIC_URL is unset here: the redirect URI is built from the address the app was opened at.
  server.addClient({ client_id: `mailroom-${tag}`, client_secret: `client-secret-${tag}`, redirect_uris: [`${baseURL}/oauth/callback`] });
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, outgoing_tls,
      credential_mode, incoming_auth_method, outgoing_auth_method, oauth_provider, oauth_client_id, oauth_client_secret_sealed, oauth_tenant, oauth_cloud,
      oauth_authorization_url, oauth_token_url, oauth_revocation_url, oauth_userinfo_url, oauth_scopes)
    values (${`OAuth E2E ${tag}`}, 'microsoft365', 'imap', 'outlook.office365.com', 'smtp.office365.com', 993, 587, false,
      'mailbox', 'xoauth2', 'xoauth2', 'microsoft', ${`mailroom-${tag}`}, ${sealSecret(`client-secret-${tag}`, null)}, 'organizations', 'global',
      ${server.endpoints.authorization}, ${server.endpoints.token}, ${server.endpoints.revocation}, ${server.endpoints.userinfo},
      'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access')
    returning id`;
  profileId = p.id as string;
});

test.afterAll(async () => {
  await server?.stop();
});

async function memberOnProfile(lang: string) {
  const member = await makeUser("member", `OAuth ${lang} ${tag}`);
  const [m] = await db()`update mailboxes set profile_id = ${profileId}, incoming_delivery = 'server_side_sync', outgoing_delivery = 'server_side_sync'
    where user_id = ${member.id} returning id`;
  return { member, mailboxId: m.id as string };
}

/** The test provider's pages: type the account, sign in, allow. */
async function signInAtProvider(page: Page, account: string) {
  await expect(page).toHaveURL(new RegExp(`^${server.issuer}/`));
  await page.getByLabel("Email").fill(account);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Allow" }).click();
}

for (const lang of ["en", "ja"] as const) {
  const m = oauthMessages[lang];

  test(`[${lang}] the owner signs in with Microsoft from the mailbox page and sees "connected as"`, async ({ page, context }) => {
    await context.addCookies([{ name: "locale", value: lang, domain: "127.0.0.1", path: "/" }]);
    const { member, mailboxId } = await memberOnProfile(lang);
    await signIn(page, member);
    await page.goto(`/mailboxes/${mailboxId}`);
    const panel = page.getByTestId("oauth-panel");
    await expect(panel.getByTestId("oauth-not-connected")).toHaveText(m["oauth.connection.notConnected"]);

    await panel.getByRole("link", { name: m["oauth.signIn.microsoft"] }).click();
    await signInAtProvider(page, member.email);

    await expect(page).toHaveURL(new RegExp(`/mailboxes/${mailboxId}\\?oauth=connected`));
    await expect(page.getByTestId("oauth-outcome")).toHaveText(m["oauth.result.connected"].replace("{account}", member.email));
    const connected = m["oauth.connection.connected"].replace("{account}", member.email).split("{date}")[0];
    await expect(panel.getByTestId("oauth-connected")).toContainText(connected);
    // Stored sealed: the refresh token is nowhere in the page, and the row names who connected it.
    const [cred] = await db()`select account, connected_by_id, refresh_token_sealed from oauth_credentials where key = ${`mailbox:${mailboxId}`}`;
    expect(cred.account).toBe(member.email);
    expect(cred.connected_by_id).toBe(member.id);
    expect(await page.content()).not.toContain(cred.refresh_token_sealed);

    // Disconnect deletes it again.
    await panel.getByRole("button", { name: m["oauth.disconnect"] }).click();
    await expect(page.getByTestId("oauth-outcome")).toHaveText(m["oauth.result.disconnected"]);
    await expect(panel.getByTestId("oauth-not-connected")).toBeVisible();
    const rows = await db()`select 1 from oauth_credentials where mailbox_id = ${mailboxId}`;
    expect(rows).toHaveLength(0);
  });

  test(`[${lang}] signing in with another account is refused, names that account, and stores nothing`, async ({ page, context }) => {
    await context.addCookies([{ name: "locale", value: lang, domain: "127.0.0.1", path: "/" }]);
    const { member, mailboxId } = await memberOnProfile(lang);
    const stranger = `someone.else.${tag}@example.net`;
    await signIn(page, member);
    await page.goto(`/mailboxes/${mailboxId}`);
    await page.getByTestId("oauth-panel").getByRole("link", { name: m["oauth.signIn.microsoft"] }).click();
    await signInAtProvider(page, stranger);

    const outcome = page.getByTestId("oauth-outcome");
    await expect(outcome).toHaveAttribute("data-outcome", "accountMismatch");
    await expect(outcome).toHaveText(m["oauth.result.accountMismatch"].replaceAll("{account}", stranger).replaceAll("{mailbox}", member.email));
    await expect(page.getByTestId("oauth-not-connected")).toBeVisible();
    const rows = await db()`select 1 from oauth_credentials where mailbox_id = ${mailboxId}`;
    expect(rows).toHaveLength(0);
  });
}

test("a member cannot start a sign-in for another member's mailbox", async ({ page }) => {
  const { mailboxId } = await memberOnProfile("other");
  const intruder = await makeUser("member", `Intruder ${tag}`);
  await signIn(page, intruder);
  await page.goto(`/oauth/start?mailboxId=${mailboxId}`);
  // Sent back to the mailbox list, never to the provider.
  await expect(page).toHaveURL(/\/mailboxes$/);
  const pending = await db()`select 1 from oauth_authorizations where mailbox_id = ${mailboxId}`;
  expect(pending).toHaveLength(0);
});

test("an admin sets up a Microsoft 365 profile: servers, OAuth 2.0, endpoints, scopes and the redirect URI fill themselves; the secret is write-only", async ({ page, baseURL }) => {
  const name = `Exchange Online ${tag}`;
  const secret = `e2e-client-secret-${tag}`;
  const label = (text: string) => page.getByLabel(new RegExp(`^${text}\\s*ⓘ?$`));
  await signIn(page, ADMIN);
  await page.goto("/profiles/new");
  await label("Server type").selectOption("microsoft365");
  await label("Name").fill(name);
  await expect(label("Incoming server location")).toHaveValue("outlook.office365.com");
  await expect(label("Outgoing server location")).toHaveValue("smtp.office365.com");
  await expect(label("Outgoing port")).toHaveValue("587");
  await expect(label("Incoming authentication protocol")).toHaveValue("xoauth2");
  await expect(label("Outgoing authentication protocol")).toHaveValue("xoauth2");
  await expect(page.getByTestId("redirect-uri")).toHaveText(`${baseURL}/oauth/callback`);
  await expect(label("Token endpoint")).toHaveValue("https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
  await expect(label("Scopes")).toHaveValue(/IMAP\.AccessAsUser\.All .*SMTP\.Send offline_access/);
  // The tenant and the cloud change the prefilled endpoints.
  await label("Tenant").fill("contoso.onmicrosoft.com");
  await expect(label("Authorization endpoint")).toHaveValue("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize");
  await label("Cloud").selectOption("usgov");
  await expect(label("Token endpoint")).toHaveValue("https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token");
  await expect(label("Incoming server location")).toHaveValue("outlook.office365.us");
  await label("Cloud").selectOption("global");
  // Required: the client ID and secret.
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator('[data-field-error="oauthClientId"]')).toBeVisible();
  await label("Client ID").fill("11111111-2222-3333-4444-555555555555");
  await label("Client secret").fill(secret);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("detail-oauthClientSecret")).toHaveText("set");
  await expect(page.getByTestId("detail-oauthTokenUrl")).toHaveText("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
  await expect(page.getByTestId("redirect-uri")).toHaveText(`${baseURL}/oauth/callback`);
  expect(await page.content()).not.toContain(secret);

  // Editing without typing a secret keeps the stored one.
  const id = page.url().split("/").pop()!;
  const [before] = await db()`select oauth_client_secret_sealed from profiles where id = ${id}`;
  await page.goto(`/profiles/${id}/edit`);
  await expect(label("Client secret")).toHaveValue("");
  await expect(page.getByTestId("client-secret-status")).toHaveText("Stored client secret: set");
  await label("Scopes").fill("https://outlook.office.com/IMAP.AccessAsUser.All offline_access");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("detail-oauthScopes")).toHaveText("https://outlook.office.com/IMAP.AccessAsUser.All offline_access");
  const [after] = await db()`select oauth_client_secret_sealed from profiles where id = ${id}`;
  expect(after.oauth_client_secret_sealed).toBe(before.oauth_client_secret_sealed);
});

for (const lang of ["en", "ja"] as const) {
  const m = oauthMessages[lang];

  test(`[${lang}] "Sign in again" on a dead sign-in's alert leads through consent to a mailbox enabled again by test & enable`, async ({ page, context, browser }) => {
    test.setTimeout(120_000);
    const pki = runPki();
    const dovecot = await startDovecot({ pki, oauth: { introspectionUrl: server.introspectionUrl } });
    const smtp = await startSmtpServer({ pki, users: {}, oauth: { introspectionUrl: server.introspectionUrl } });
    try {
      const member = await makeUser("member", `Again ${lang} ${tag}`);
      await dovecot.addUser(member.email, "not-used-with-oauth");
      // A profile on the test servers, signing in with OAuth 2.0 at the test authorization server.
      const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, outgoing_tls,
          credential_mode, incoming_auth_method, outgoing_auth_method, oauth_provider, oauth_client_id, oauth_client_secret_sealed,
          oauth_authorization_url, oauth_token_url, oauth_revocation_url, oauth_userinfo_url, oauth_scopes)
        values (${`OAuth Dovecot ${lang} ${tag}`}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', ${dovecot.ports.imaps}, ${smtp.ports.starttls}, true, false,
          'mailbox', 'xoauth2', 'xoauth2', 'microsoft', ${`mailroom-${tag}`}, ${sealSecret(`client-secret-${tag}`, null)},
          ${server.endpoints.authorization}, ${server.endpoints.token}, ${server.endpoints.revocation}, ${server.endpoints.userinfo}, 'offline_access')
        returning id`;
      // As the worker leaves it when the refresh token died: both directions disabled, failed, and an alert with the oauth: key.
      const [box] = await db()`update mailboxes set profile_id = ${p.id}, incoming_delivery = 'server_side_sync', outgoing_delivery = 'server_side_sync', approved_at = now(),
          incoming_enabled = false, outgoing_enabled = false, incoming_status = 'failure', outgoing_status = 'failure'
        where user_id = ${member.id} returning id`;
      const title = `Sign-in expired ${lang} ${tag}`;
      await db()`insert into alerts (severity, recipient_id, mailbox_id, dedup_key, title, message)
        values ('error', ${member.id}, ${box.id}, ${`oauth:refresh:${box.id}`}, ${title}, 'The provider refused the refresh token (invalid_grant).')`;

      await context.addCookies([{ name: "locale", value: lang, domain: "127.0.0.1", path: "/" }]);
      await signIn(page, member);
      await page.goto("/alerts");
      const alert = page.locator("[data-alert]").filter({ hasText: title });
      await alert.getByRole("link", { name: m["oauth.alert.signInAgain"] }).click();
      await signInAtProvider(page, member.email);
      await expect(page).toHaveURL(new RegExp(`/mailboxes/${box.id}\\?oauth=connected`));
      await expect(page.getByTestId("oauth-connected")).toBeVisible();

      // An admin runs test & enable: IMAP and SMTP accept the new token, and the mailbox is enabled again.
      const admin = await browser.newContext();
      try {
        const adminPage = await admin.newPage();
        await signIn(adminPage, ADMIN);
        await adminPage.goto(`/mailboxes/${box.id}`);
        await adminPage.getByRole("button", { name: "Test & enable" }).click();
        await expect(adminPage.getByTestId("incoming-status")).toHaveText("Success", { timeout: 30_000 });
        await expect(adminPage.getByTestId("outgoing-status")).toHaveText("Success");
        await expect(adminPage.getByTestId("enabled")).toHaveText("incoming, outgoing");
      } finally {
        await admin.close();
      }
      const [state] = await db()`select incoming_enabled, outgoing_enabled from mailboxes where id = ${box.id}`;
      expect(state).toEqual({ incoming_enabled: true, outgoing_enabled: true });
      expect(smtp.authCount).toBeGreaterThan(0);
    } finally {
      await dovecot.destroy();
      await smtp.stop();
    }
  });
}
