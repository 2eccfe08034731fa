// A mailbox's delegated sign-in against a real authorization server (oidc-provider
// on loopback, tests/harness/oauth-server.ts), driven over HTTP like a browser:
// PKCE and a single-use state bound to the user, the account must be the mailbox's
// address, tokens sealed, provider errors named, disconnect revokes.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { oauthAuthorizations, oauthCredentials } from "../../../db/schema/oauth";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { openSecret } from "../../../lib/crypto/open-secret";
import { sealContext } from "../../../lib/crypto/seal-context";
import { completeAuthorization } from "../../../lib/oauth/complete-authorization";
import { disconnectMailbox } from "../../../lib/oauth/disconnect-mailbox";
import { findOAuthConnection } from "../../../lib/oauth/find-oauth-connection";
import { startAuthorization } from "../../../lib/oauth/start-authorization";
import { createTestDb, type TestDb } from "../../harness/db";
import { startOAuthServer, type OAuthServer } from "../../harness/oauth-server";
import { makeActors, type Actors } from "../mailboxes/fixtures";
import { mailboxes } from "../../../db/schema/mailboxes";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

const REDIRECT = "http://127.0.0.1:3999/oauth/callback";
let t: TestDb;
let a: Actors;
let server: OAuthServer;
let profileId: string;

beforeAll(async () => {
  [t, server] = await Promise.all([createTestDb(), startOAuthServer()]);
  a = await makeActors(t.db);
  server.addClient({ client_id: "mailroom", client_secret: "client-s3cret", redirect_uris: [REDIRECT] });
  const [p] = await t.db
    .insert(profiles)
    .values({
      name: "Test Microsoft",
      serverType: "microsoft365",
      incomingHost: "127.0.0.1",
      outgoingHost: "127.0.0.1",
      incomingPort: 993,
      outgoingPort: 587,
      incomingAuthMethod: "xoauth2",
      outgoingAuthMethod: "xoauth2",
      oauthProvider: "microsoft",
      oauthClientId: "mailroom",
      oauthClientSecretSealed: (await import("../../../lib/crypto/seal-secret")).sealSecret("client-s3cret", null),
      oauthAuthorizationUrl: server.endpoints.authorization,
      oauthTokenUrl: server.endpoints.token,
      oauthRevocationUrl: server.endpoints.revocation,
      oauthUserinfoUrl: server.endpoints.userinfo,
      oauthScopes: "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    })
    .returning();
  profileId = p.id;
  await t.db.update(mailboxes).set({ profileId }).where(eq(mailboxes.userId, a.member.id));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await t?.close();
  vi.unstubAllEnvs();
});

async function memberMailbox() {
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.userId, a.member.id));
  return m;
}

/** Follows the provider like a browser (cookies, redirects), signs in as `email` and answers consent; returns the callback URL. */
async function signInAtProvider(authorizationUrl: string, email: string, answer: "Allow" | "Deny" = "Allow"): Promise<URL> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  let url = authorizationUrl;
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const post = body !== undefined;
    const res = await fetch(url, { method: post ? "POST" : "GET", body, redirect: "manual", headers: { cookie: cookie(), ...(post ? { "content-type": "application/x-www-form-urlencoded" } : {}) } });
    keep(res);
    body = undefined;
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(REDIRECT)) return next;
      url = next.href;
      continue;
    }
    const html = await res.text();
    const uid = /\/interaction\/([^/"]+)\//.exec(html)?.[1];
    if (!uid) throw new Error(`unexpected page: ${html.slice(0, 200)}`);
    if (html.includes('name="email"')) {
      url = `${server.issuer}/interaction/${uid}/login`;
      body = new URLSearchParams({ email }).toString();
    } else {
      url = `${server.issuer}/interaction/${uid}/${answer === "Allow" ? "consent" : "deny"}`;
      body = "";
    }
  }
  throw new Error("too many redirects");
}

async function start(actor = a.member) {
  const m = await memberMailbox();
  const r = await startAuthorization(t.db, actor, { mailboxId: m.id, redirectUri: REDIRECT });
  if (r.kind !== "redirect") throw new Error(`refused: ${JSON.stringify(r)}`);
  return { m, url: new URL(r.url) };
}

test("the owner signs in as the mailbox's address: PKCE S256, offline access, tokens sealed, 'connected as' shown", async () => {
  const { m, url } = await start();
  expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  expect(url.searchParams.get("scope")).toContain("offline_access");
  expect(url.searchParams.get("scope")).toContain("openid");
  expect(url.searchParams.get("login_hint")).toBe(m.emailAddress);
  // The state is stored hashed, never as sent.
  const [pending] = await t.db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.mailboxId, m.id));
  expect(pending.stateHash).not.toBe(url.searchParams.get("state"));

  const callback = await signInAtProvider(url.href, m.emailAddress.toUpperCase());
  const result = await completeAuthorization(t.db, a.member, { callbackUrl: callback });
  expect(result).toEqual({ mailboxId: m.id, outcome: { key: "oauth.result.connected", params: { account: m.emailAddress.toUpperCase() } } });
  const [cred] = await t.db.select().from(oauthCredentials).where(eq(oauthCredentials.key, `mailbox:${m.id}`));
  expect(cred).toMatchObject({ kind: "delegated", profileId, connectedById: a.member.id });
  const refresh = openSecret(cred.refreshTokenSealed!, sealContext(oauthCredentials.refreshTokenSealed, cred.key));
  expect(cred.refreshTokenSealed).not.toContain(refresh);
  expect(await server.isActive(openSecret(cred.accessTokenSealed!, sealContext(oauthCredentials.accessTokenSealed, cred.key)))).toBe(true);
  expect((await findOAuthConnection(t.db, m))?.connection?.account?.toLowerCase()).toBe(m.emailAddress);

  // The state is single use: presenting the same callback again is refused and changes nothing.
  const again = await completeAuthorization(t.db, a.member, { callbackUrl: callback });
  expect(again.outcome.key).toBe("oauth.result.stateInvalid");

  // Disconnect revokes at the provider and deletes what was stored.
  const out = await disconnectMailbox(t.db, a.member, { mailboxId: m.id });
  expect(out.key).toBe("oauth.result.disconnected");
  expect(await t.db.select().from(oauthCredentials).where(eq(oauthCredentials.key, `mailbox:${m.id}`))).toHaveLength(0);
  expect(await server.isActive(openSecret(cred.accessTokenSealed!, sealContext(oauthCredentials.accessTokenSealed, cred.key)))).toBe(false);
});

test("another account is refused, nothing is stored, and the message names the account that signed in", async () => {
  const { m, url } = await start();
  const callback = await signInAtProvider(url.href, "mallory@example.net");
  const result = await completeAuthorization(t.db, a.member, { callbackUrl: callback });
  expect(result.outcome).toEqual({ key: "oauth.result.accountMismatch", params: { account: "mallory@example.net", mailbox: m.emailAddress } });
  expect(await t.db.select().from(oauthCredentials).where(eq(oauthCredentials.mailboxId, m.id))).toHaveLength(0);
});

test("the state is bound to the user who started: another user's callback is refused", async () => {
  const { m, url } = await start();
  const callback = await signInAtProvider(url.href, m.emailAddress);
  const result = await completeAuthorization(t.db, a.admin, { callbackUrl: callback });
  expect(result).toEqual({ mailboxId: null, outcome: { key: "oauth.result.stateInvalid" } });
  expect(await t.db.select().from(oauthCredentials).where(eq(oauthCredentials.mailboxId, m.id))).toHaveLength(0);
});

test("consent refused at the provider becomes access_denied; a member cannot start a sign-in for someone else's mailbox", async () => {
  const { url } = await start();
  const callback = await signInAtProvider(url.href, "x@example.com", "Deny");
  expect((await completeAuthorization(t.db, a.member, { callbackUrl: callback })).outcome.key).toBe("oauth.result.access_denied");
  const m = await memberMailbox();
  await expect(startAuthorization(t.db, a.other, { mailboxId: m.id, redirectUri: REDIRECT })).rejects.toMatchObject({ code: "not_found" });
});

test("a wrong client secret is reported as the profile's client credentials at fault", async () => {
  const { m, url } = await start();
  const callback = await signInAtProvider(url.href, m.emailAddress);
  const { sealSecret } = await import("../../../lib/crypto/seal-secret");
  await t.db.update(profiles).set({ oauthClientSecretSealed: sealSecret("wrong", null) }).where(eq(profiles.id, profileId));
  try {
    expect((await completeAuthorization(t.db, a.member, { callbackUrl: callback })).outcome.key).toBe("oauth.result.invalid_client");
  } finally {
    await t.db.update(profiles).set({ oauthClientSecretSealed: sealSecret("client-s3cret", null) }).where(eq(profiles.id, profileId));
  }
});
