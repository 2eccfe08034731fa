// The secrets crawl for OAuth 2.0: a client secret, a Google service account key,
// a Microsoft certificate's private key, and every access and refresh token the
// authorization server issued (short lifetimes, so the worker refreshes and rotates
// several times) appear nowhere in the worker's log (debug level), in what the
// pages' domain functions return for each role, or in a full database dump (as
// text, hex or base64). The browser half is the e2e security spec.
import { sql } from "drizzle-orm";
import { afterAll, expect, test } from "vitest";
import { listAlerts } from "../../lib/alerts/list-alerts";
import { getMailbox } from "../../lib/mailboxes/get-mailbox";
import { listMailboxes } from "../../lib/mailboxes/list-mailboxes";
import { getProfile } from "../../lib/profiles/get-profile";
import { listProfiles } from "../../lib/profiles/list-profiles";
import { makeActor } from "../integration/mailboxes/fixtures";
import { connectMailbox, oauthMailbox, oauthProfile, queueTestEmail, useOAuthMailSuite } from "../integration/oauth/oauth-fixtures";
import { testMessage } from "../integration/sync/sync-fixtures";
import { startWorker, waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { figure } from "../reliability/support/fault-kit";

const s = useOAuthMailSuite();
let worker: WorkerProcess | undefined;
afterAll(async () => {
  await worker?.stop();
});

const CLIENT_SECRET = "Qx7-OAuthClientSecret-71e0c4";
const APP_SECRET = "Qx7-OAuthAppSecret-2f9b13";
const forms = (secret: string) => [secret, Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")];
/** A distinctive line from inside a PEM body (the whole key is too long to be split the same way everywhere). */
const pemLine = (pem: string) => pem.split("\n").filter((l) => l && !l.startsWith("-----"))[3];

test("no client secret, service account key, certificate key or access/refresh token in the worker's log, the pages' data or a database dump", async () => {
  // Short lifetimes (but not so short that a token dies between its check and its use).
  s.oauth.setTtl({ accessToken: 8, clientCredentials: 8 });
  const admin = await makeActor(s.t.db, "admin");
  const manager = await makeActor(s.t.db, "mailbox_manager");
  const member = await makeActor(s.t.db, "member");
  s.oauth.addClient({ client_id: "crawl-web", client_secret: CLIENT_SECRET, redirect_uris: ["http://127.0.0.1:9/oauth/callback"] });
  s.oauth.addClient({ client_id: "crawl-app", client_secret: APP_SECRET, grant_types: ["client_credentials"], response_types: [], redirect_uris: [] });
  const sa = s.oauth.addServiceAccount("crawl@project.iam.example.test");
  const certificate = s.oauth.addCertificateClient("crawl-cert");

  const boxes: string[] = [];
  const add = async (name: string, profile: Parameters<typeof oauthProfile>[1], delegated: boolean) => {
    const address = `${name}@example.test`;
    await s.dovecot.addUser(address, `${name}-pw`);
    await s.dovecot.deliverMany(address, [testMessage(1, { tag: name }), testMessage(2, { tag: name })]);
    const profileId = await oauthProfile(s, profile);
    const mailboxId = await oauthMailbox(s, profileId, address);
    if (delegated) await connectMailbox(s, mailboxId, profileId, address, { id: "crawl-web", secret: CLIENT_SECRET });
    await queueTestEmail(s.t.db, mailboxId, `from ${name}`);
    boxes.push(mailboxId);
    return { address, profileId };
  };
  await add("crawl-delegated", { oauthClientId: "crawl-web", clientSecret: CLIENT_SECRET, ownerId: member.id }, true);
  const ms = await add("crawl-ms-app", { credentialMode: "profile", oauthProvider: "microsoft", oauthTenant: "contoso.example", oauthClientId: "crawl-app", clientSecret: APP_SECRET }, false);
  s.oauth.allowApp("crawl-app", [ms.address]);
  const cert = await add("crawl-ms-cert", { credentialMode: "profile", oauthProvider: "microsoft", oauthTenant: "contoso.example", oauthClientId: "crawl-cert", oauthClientSecretSealed: null, certificate }, false);
  s.oauth.allowApp("crawl-cert", [cert.address]);
  await add("crawl-google-app", { credentialMode: "profile", oauthProvider: "google", oauthClientId: null, oauthClientSecretSealed: null, serviceAccountKey: sa }, false);

  // Every poll signs in afresh (no kept connections), so each round needs a live access token.
  worker = await startWorker({ DATABASE_URL: s.t.url, MAILROOM_SECRET_KEY: process.env.MAILROOM_SECRET_KEY!, MAILROOM_EXTRA_CA_FILE: s.pki.caFile, LOG_LEVEL: "debug", MAILROOM_KEPT_CONNECTIONS: "0" });
  let state = "";
  await waitFor("every mailbox synced and sent", async () => {
    const [r] = await s.t.db.execute<{ synced: number; sent: number }>(sql`
      select (select count(*) from emails)::int as synced, (select count(*) from outbox where status = 'sent')::int as sent`);
    state = JSON.stringify(r);
    return r.synced >= 8 && r.sent === 4;
  }, 90_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${state}\n${worker?.output().slice(-3000)}`);
  });
  // Twice more: let the tokens expire, make every mailbox due, and wait until the worker has refreshed
  // (rotating the delegated mailbox's refresh token) and fetched new app tokens — waited for, not assumed.
  for (let round = 0; round < 2; round++) {
    await new Promise((r) => setTimeout(r, 8_500));
    const issued = s.oauth.issuedTokens().length;
    const refreshed = s.oauth.tokenRequests().refresh_token ?? 0;
    await s.t.db.execute(sql`update mailboxes set next_sync_at = now()`);
    await waitFor(`round ${round + 1}: a refresh and new tokens`, async () => (s.oauth.tokenRequests().refresh_token ?? 0) > refreshed && s.oauth.issuedTokens().length >= issued + 4, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(s.oauth.tokenRequests())}\n${worker?.output().slice(-3000)}`);
    });
  }
  await worker.stop();
  s.oauth.setTtl({ accessToken: 3600, clientCredentials: 3600 });

  const views: unknown[] = [];
  for (const actor of [admin, manager, member]) {
    views.push(await listMailboxes(s.t.db, actor, {}).catch((e: Error) => e.message), await listAlerts(s.t.db, actor, {}).catch((e: Error) => e.message));
    for (const id of boxes) views.push(await getMailbox(s.t.db, actor, { id }).catch((e: Error) => e.message));
    views.push(await listProfiles(s.t.db, actor, {}).catch((e: Error) => e.message));
    const profileIds = await s.t.db.execute<{ id: string }>(sql`select id from profiles`);
    for (const { id } of profileIds) views.push(await getProfile(s.t.db, actor, { id }).catch((e: Error) => e.message));
  }
  const viewText = JSON.stringify(views);
  const dump = (await s.t.db.execute<{ r: string }>(sql`select string_agg(x::text, E'\n') as r from (
      select row_to_json(p)::text as x from profiles p union all select row_to_json(c)::text from oauth_credentials c
      union all select row_to_json(a)::text from alerts a union all select row_to_json(m)::text from mailboxes m
      union all select row_to_json(o)::text from outbox o union all select row_to_json(z)::text from oauth_authorizations z) t`))[0].r;

  const tokens = s.oauth.issuedTokens();
  const secrets: Array<[string, string]> = [
    ["client secret", CLIENT_SECRET],
    ["app client secret", APP_SECRET],
    ["service account key", pemLine(sa.private_key)],
    ["certificate private key", pemLine(certificate.privateKeyPem)],
    ...tokens.map((tok, i): [string, string] => [`token #${i + 1}`, tok]),
  ];
  const leaks: string[] = [];
  for (const [name, secret] of secrets) {
    for (const form of forms(secret)) {
      if (worker.output().includes(form)) leaks.push(`worker log: ${name}`);
      if (viewText.includes(form)) leaks.push(`page data: ${name}`);
      if (dump.includes(form)) leaks.push(`database: ${name}`);
    }
  }
  const refreshes = s.oauth.tokenRequests().refresh_token ?? 0;
  figure(
    "oauth secrets",
    `${secrets.length} secrets (2 client secrets, a service account key, a certificate key, ${tokens.length} access/refresh tokens; ${refreshes} refreshes by the worker) — ` +
      `0 expected in ${Math.round(worker.output().length / 1024)} KB of worker log (debug), ${Math.round(viewText.length / 1024)} KB of page data for 3 roles, ${Math.round(dump.length / 1024)} KB of rows; found ${leaks.length}`,
  );
  expect(refreshes).toBeGreaterThanOrEqual(2);
  expect(tokens.length).toBeGreaterThan(6);
  expect(dump).toContain("oauth_client_secret_sealed"); // the rows really are there
  expect(leaks).toEqual([]);
}, 180_000);
