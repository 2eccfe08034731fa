// A profile's OAuth 2.0 app stored through createProfile / updateProfile (SPEC §1):
// the client secret and service account key are sealed, write-only ("set" / "not
// set"), kept when left blank, removed by "clear", and dropped when OAuth is turned off.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { openSecret } from "../../../lib/crypto/open-secret";
import { sealContext } from "../../../lib/crypto/seal-context";
import { createProfile } from "../../../lib/profiles/create-profile";
import { getProfile } from "../../../lib/profiles/get-profile";
import { updateProfile } from "../../../lib/profiles/update-profile";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, type Actors } from "./test-actors";
import { refusedInEnglish } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

let t: TestDb;
let a: Actors;
beforeAll(async () => {
  t = await createTestDb();
  a = await insertActors(t.db);
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

const SECRET = "Qx8~client-secret-value";

const m365 = (over: Record<string, string> = {}) => ({
  name: `Exchange Online ${Math.random().toString(36).slice(2, 7)}`,
  serverType: "microsoft365",
  incomingProtocol: "imap",
  credentialMode: "mailbox",
  oauthClientId: "11111111-2222-3333-4444-555555555555",
  oauthClientSecret: SECRET,
  oauthTenant: "contoso.onmicrosoft.com",
  oauthSecretExpiresAt: "2027-03-31",
  ...over,
});

async function stored(id: string) {
  const [row] = await t.db.select().from(profiles).where(eq(profiles.id, id));
  return row;
}

test("a Microsoft 365 profile stores its OAuth app with the secret sealed and shows it only as set", async () => {
  const view = await createProfile(t.db, a.admin, { values: m365(), secureChannel: true });
  expect(view).toMatchObject({
    serverType: "microsoft365",
    incomingHost: "outlook.office365.com",
    outgoingHost: "smtp.office365.com",
    outgoingPort: 587,
    outgoingTls: false,
    incomingAuthMethod: "xoauth2",
    outgoingAuthMethod: "xoauth2",
    oauthProvider: "microsoft",
    oauthClientSecretSet: true,
    oauthTokenUrl: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
    oauthSecretExpiresAt: new Date("2027-03-31T00:00:00Z"),
  });
  expect(JSON.stringify(view)).not.toContain(SECRET);
  const row = await stored(view.id);
  expect(row.oauthClientSecretSealed).not.toContain(SECRET);
  expect(openSecret(row.oauthClientSecretSealed!, sealContext(profiles.oauthClientSecretSealed, row.id))).toBe(SECRET);
  expect(JSON.stringify(await getProfile(t.db, a.manager, { id: view.id }))).not.toContain(SECRET);
});

test("editing with a blank secret keeps it; clear removes it only when something else may replace it; leaving OAuth drops the app", async () => {
  const view = await createProfile(t.db, a.admin, { values: m365(), secureChannel: true });
  const sealedBefore = (await stored(view.id)).oauthClientSecretSealed;
  await updateProfile(t.db, a.admin, { id: view.id, values: m365({ name: view.name, oauthClientSecret: "", oauthScopes: "https://outlook.office.com/IMAP.AccessAsUser.All offline_access" }), secureChannel: true });
  const kept = await stored(view.id);
  expect(kept.oauthClientSecretSealed).toBe(sealedBefore);
  expect(kept.oauthScopes).toBe("https://outlook.office.com/IMAP.AccessAsUser.All offline_access");

  await expect(refusedInEnglish(updateProfile(t.db, a.admin, { id: view.id, values: m365({ name: view.name, oauthClientSecret: "", clearOauthClientSecret: "on" }), secureChannel: true }))).rejects.toMatchObject({
    fieldErrors: { clearOauthClientSecret: [expect.stringMatching(/enter a new one/)] },
  });

  // An app password instead of OAuth: the app's settings and secret are not kept.
  await updateProfile(t.db, a.admin, { id: view.id, values: m365({ name: view.name, incomingAuthMethod: "plain", outgoingAuthMethod: "login" }), secureChannel: true });
  const dropped = await stored(view.id);
  expect(dropped).toMatchObject({ oauthProvider: null, oauthClientSecretSealed: null, oauthClientId: null, oauthTokenUrl: null, incomingAuthMethod: "plain" });
});

test("a Gmail app-only profile seals the service account key and needs no user name or password", async () => {
  const key = JSON.stringify({ type: "service_account", client_email: "mailroom@proj.iam.gserviceaccount.com", private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" });
  const view = await createProfile(t.db, a.admin, {
    values: { name: "Workspace", serverType: "gmail", incomingProtocol: "imap", credentialMode: "profile", oauthServiceAccountKey: key },
    secureChannel: true,
  });
  expect(view).toMatchObject({ oauthProvider: "google", oauthServiceAccountKeySet: true, oauthClientSecretSet: false, userName: null, passwordSet: false, oauthScopes: "https://mail.google.com/" });
  const row = await stored(view.id);
  expect(row.oauthServiceAccountKeySealed).not.toContain("PRIVATE KEY");
  expect(openSecret(row.oauthServiceAccountKeySealed!, sealContext(profiles.oauthServiceAccountKeySealed, row.id))).toBe(key);
});
