// The OAuth 2.0 app on the profile form (SPEC §1): Microsoft 365 fills its servers,
// Gmail and Microsoft 365 default to OAuth 2.0, the app's credential depends on the
// provider and mode, secrets behave like passwords, endpoints and scopes are prefilled.
import { expect, test } from "vitest";
import { AppError } from "../../../lib/errors";
import { fillProfileDefaults } from "../../../lib/profiles/fill-profile-defaults";
import { parseProfileInput, type ProfileInputContext } from "../../../lib/profiles/profile-input";
import { presetEndpoints, presetScopes, withIdentityScopes } from "../../../lib/oauth/oauth-presets";
import { englishFieldErrors } from "../../harness/english";

const secure: ProfileInputContext = { secureChannel: true, policy: { allowedPorts: null, allowCredentialsOverHttp: false } };
const plainHttp: ProfileInputContext = { secureChannel: false, policy: { allowedPorts: null, allowCredentialsOverHttp: false } };

const form = (over: Record<string, string> = {}): Record<string, string> => ({
  name: "Exchange Online",
  serverType: "microsoft365",
  incomingProtocol: "imap",
  credentialMode: "mailbox",
  incomingAuthMethod: "",
  outgoingAuthMethod: "",
  oauthClientId: "11111111-2222-3333-4444-555555555555",
  oauthClientSecret: "s3cr3t~value",
  ...over,
});

function fieldErrors(raw: Record<string, unknown>, context = secure): Record<string, string[]> {
  try {
    parseProfileInput(raw, context);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return englishFieldErrors((err as AppError).fieldErrors);
  }
  throw new Error("expected the input to be refused");
}

test("Microsoft 365 fills Exchange Online's IMAP, POP3 and SMTP (587, STARTTLS) servers, per cloud", () => {
  const base = { incomingHost: "typo", outgoingHost: "", incomingPort: 143, outgoingPort: 25, incomingTls: false, outgoingTls: true };
  expect(fillProfileDefaults({ ...base, serverType: "microsoft365", incomingProtocol: "imap" })).toMatchObject({
    incomingHost: "outlook.office365.com",
    incomingPort: 993,
    incomingTls: true,
    outgoingHost: "smtp.office365.com",
    outgoingPort: 587,
    outgoingTls: false,
  });
  expect(fillProfileDefaults({ ...base, serverType: "microsoft365", incomingProtocol: "pop3" })).toMatchObject({ incomingHost: "outlook.office365.com", incomingPort: 995 });
  expect(fillProfileDefaults({ ...base, serverType: "microsoft365", incomingProtocol: "imap", oauthCloud: "usgov" })).toMatchObject({ incomingHost: "outlook.office365.us", outgoingHost: "smtp.office365.us" });
});

test("Gmail and Microsoft 365 sign in with OAuth 2.0 unless another protocol is chosen; POP3/SMTP stays automatic", () => {
  const m = parseProfileInput(form(), secure);
  expect(m).toMatchObject({ incomingAuthMethod: "xoauth2", outgoingAuthMethod: "xoauth2", incomingHost: "outlook.office365.com", outgoingPort: 587 });
  const g = parseProfileInput(form({ serverType: "gmail", oauthClientId: "123.apps.googleusercontent.com" }), secure);
  expect(g.incomingAuthMethod).toBe("xoauth2");
  // A password (app password) on Gmail stays possible when chosen.
  expect(parseProfileInput(form({ serverType: "gmail", incomingAuthMethod: "plain", outgoingAuthMethod: "plain" }), secure).oauth).toBeNull();
  const generic = parseProfileInput(form({ serverType: "pop3smtp", incomingHost: "imap.example.com", outgoingHost: "smtp.example.com" }), secure);
  expect(generic.incomingAuthMethod).toBe("auto");
  expect(generic.oauth).toBeNull();
});

test("a delegated Microsoft app gets the tenant's endpoints and the IMAP, POP, SMTP and offline scopes prefilled", () => {
  const p = parseProfileInput(form({ oauthTenant: "contoso.onmicrosoft.com" }), secure);
  expect(p.oauth).toMatchObject({
    provider: "microsoft",
    clientId: "11111111-2222-3333-4444-555555555555",
    clientSecret: { kind: "set", value: "s3cr3t~value" },
    tenant: "contoso.onmicrosoft.com",
    cloud: "global",
    authorizationUrl: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
    tokenUrl: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
    revocationUrl: null,
  });
  expect(p.oauth!.scopes.split(" ")).toEqual(
    expect.arrayContaining([
      "https://outlook.office.com/IMAP.AccessAsUser.All",
      "https://outlook.office.com/POP.AccessAsUser.All",
      "https://outlook.office.com/SMTP.Send",
      "offline_access",
    ]),
  );
  // A blank tenant means any work or school account.
  expect(parseProfileInput(form(), secure).oauth!.tenant).toBe("organizations");
});

test("Google's endpoints and mail scope are prefilled; typed endpoints (another server, tests) are kept", () => {
  const g = parseProfileInput(form({ serverType: "gmail", oauthClientId: "1.apps.googleusercontent.com" }), secure).oauth!;
  expect(g).toMatchObject({ provider: "google", scopes: "https://mail.google.com/", revocationUrl: "https://oauth2.googleapis.com/revoke", tokenUrl: "https://oauth2.googleapis.com/token" });
  const local = parseProfileInput(
    form({ serverType: "gmail", oauthClientId: "x", oauthAuthorizationUrl: "http://127.0.0.1:4000/auth", oauthTokenUrl: "http://127.0.0.1:4000/token", oauthScopes: " a  b " }),
    secure,
  ).oauth!;
  expect(local).toMatchObject({ authorizationUrl: "http://127.0.0.1:4000/auth", tokenUrl: "http://127.0.0.1:4000/token", scopes: "a b" });
  // Plain http is for this machine only; nothing but http(s) anywhere.
  expect(fieldErrors(form({ oauthTokenUrl: "http://login.example.com/token" })).oauthTokenUrl).toHaveLength(1);
  expect(fieldErrors(form({ oauthAuthorizationUrl: "javascript:alert(1)" })).oauthAuthorizationUrl).toHaveLength(1);
});

test("the client ID and secret are required for delegated sign-in; a stored secret is kept when left blank and cannot be just cleared", () => {
  const missing = fieldErrors(form({ oauthClientId: "", oauthClientSecret: "" }));
  expect(missing.oauthClientId?.[0]).toMatch(/client ID/);
  expect(missing.oauthClientSecret?.[0]).toMatch(/client secret/);
  const existing = { userName: null, outgoingUserName: null, passwordSet: false, outgoingPasswordSet: false, oauthClientSecretSet: true };
  expect(parseProfileInput(form({ oauthClientSecret: "" }), { ...secure, existing }).oauth!.clientSecret).toEqual({ kind: "keep" });
  expect(fieldErrors(form({ oauthClientSecret: "", clearOauthClientSecret: "on" }), { ...secure, existing }).clearOauthClientSecret).toHaveLength(1);
  // A generic server may be a public client (PKCE alone).
  const generic = parseProfileInput(
    form({ serverType: "pop3smtp", incomingHost: "imap.example.com", outgoingHost: "smtp.example.com", incomingAuthMethod: "xoauth2", outgoingAuthMethod: "xoauth2", oauthClientSecret: "", oauthAuthorizationUrl: "https://id.example.com/auth", oauthTokenUrl: "https://id.example.com/token", oauthScopes: "mail" }),
    secure,
  );
  expect(generic.oauth).toMatchObject({ provider: "generic", clientSecret: { kind: "keep" } });
});

test("Microsoft app-only needs the organisation's own tenant and a secret or a certificate with its key", () => {
  const appOnly = { credentialMode: "profile" };
  expect(fieldErrors(form({ ...appOnly })).oauthTenant?.[0]).toMatch(/organizations/);
  expect(fieldErrors(form({ ...appOnly, oauthTenant: "contoso.com", oauthClientSecret: "" })).oauthClientSecret).toHaveLength(1);
  const p = parseProfileInput(form({ ...appOnly, oauthTenant: "contoso.com" }), secure);
  // No user name or password: the app signs in as each mailbox's address.
  expect(p).toMatchObject({ credentialMode: "profile", userName: null, password: { kind: "clear" } });
  expect(p.oauth!.scopes).toBe("https://outlook.office365.com/.default");
  expect(p.oauth!.authorizationUrl).toBe("https://login.microsoftonline.com/contoso.com/oauth2/v2.0/authorize");
  const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";
  const withCert = parseProfileInput(form({ ...appOnly, oauthTenant: "contoso.com", oauthClientSecret: "", oauthCertificatePem: cert, oauthPrivateKeyPem: key }), secure).oauth!;
  expect(withCert.certificate).toEqual({ kind: "set", value: JSON.stringify({ privateKeyPem: key, certificatePem: cert }) });
  expect(fieldErrors(form({ ...appOnly, oauthTenant: "contoso.com", oauthClientSecret: "", oauthCertificatePem: cert })).oauthPrivateKeyPem).toHaveLength(1);
});

test("Google app-only takes a service account key instead of a client, and refuses anything else pasted there", () => {
  const appOnly = { serverType: "gmail", credentialMode: "profile", oauthClientId: "", oauthClientSecret: "" };
  expect(fieldErrors(form(appOnly)).oauthServiceAccountKey?.[0]).toMatch(/service account/);
  expect(fieldErrors(form({ ...appOnly, oauthServiceAccountKey: '{"type":"authorized_user"}' })).oauthServiceAccountKey).toHaveLength(1);
  const key = JSON.stringify({ type: "service_account", client_email: "mailroom@p.iam.gserviceaccount.com", private_key: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n" });
  const p = parseProfileInput(form({ ...appOnly, oauthServiceAccountKey: key }), secure).oauth!;
  expect(p).toMatchObject({ provider: "google", serviceAccountKey: { kind: "set", value: key }, clientSecret: { kind: "clear" }, scopes: "https://mail.google.com/" });
});

test("over plain HTTP a typed client secret or key is refused, like a password", () => {
  const errors = fieldErrors(form({ oauthClientSecret: "typed" }), plainHttp);
  expect(errors.oauthClientSecret?.[0]).toMatch(/plain HTTP/);
});

test("the client secret's expiry is a date", () => {
  expect(parseProfileInput(form({ oauthSecretExpiresAt: "2027-06-30" }), secure).oauth!.secretExpiresAt).toEqual(new Date("2027-06-30T00:00:00Z"));
  expect(fieldErrors(form({ oauthSecretExpiresAt: "2027-02-30" })).oauthSecretExpiresAt).toHaveLength(1);
});

test("presets follow the cloud, and sign-in always asks Google and Microsoft who signed in", () => {
  expect(presetEndpoints("microsoft", { tenant: "", cloud: "china" }).tokenUrl).toBe("https://login.chinacloudapi.cn/organizations/oauth2/v2.0/token");
  expect(presetScopes("microsoft", "profile", "usgov")).toBe("https://outlook.office365.us/.default");
  expect(withIdentityScopes("google", "https://mail.google.com/")).toBe("https://mail.google.com/ openid email");
  expect(withIdentityScopes("generic", "mail")).toBe("mail");
});
