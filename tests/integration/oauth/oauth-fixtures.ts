import { randomUUID } from "node:crypto";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, vi } from "vitest";
import type { Db } from "../../../db/client";
import { alerts } from "../../../db/schema/alerts";
import { mailboxes } from "../../../db/schema/mailboxes";
import { outbox } from "../../../db/schema/outbox";
import { profiles, type NewProfile } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { saveDelegatedCredential } from "../../../lib/credentials/save-delegated-credential";
import { createTestDb, type TestDb } from "../../harness/db";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { startOAuthServer, type OAuthServer } from "../../harness/oauth-server";
import { signInThroughBrowserForm } from "../../harness/oauth-sign-in";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { createTestPki, type TestPki } from "../../harness/tls";
import { insertUser } from "../sync/sync-fixtures";

export const WEB_CLIENT = { id: "mailroom", secret: "mailroom-client-secret", redirectUri: "http://127.0.0.1:9/oauth/callback" };
export const DELEGATED_SCOPE = "openid email offline_access https://mail.google.com/";

export type OAuthMailSuite = { pki: TestPki; t: TestDb; oauth: OAuthServer; dovecot: Dovecot; smtp: TestSmtp; mailboxOwner: string; profileOwner: string };

/**
 * Real components for OAuth mail tests: the test authorization server, Dovecot
 * checking XOAUTH2/OAUTHBEARER tokens against it, smtp-server doing the same for
 * XOAUTH2, a fresh database, a sealing key and the test CA; torn down after the file.
 */
export function useOAuthMailSuite(): OAuthMailSuite {
  const pki = createTestPki();
  vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
  vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);
  const s = { pki } as OAuthMailSuite;
  beforeAll(async () => {
    s.oauth = await startOAuthServer();
    s.oauth.addClient({ client_id: WEB_CLIENT.id, client_secret: WEB_CLIENT.secret, redirect_uris: [WEB_CLIENT.redirectUri] });
    [s.t, s.dovecot, s.smtp] = await Promise.all([
      createTestDb(),
      startDovecot({ pki, oauth: { introspectionUrl: s.oauth.introspectionUrl } }),
      startSmtpServer({ pki, users: {}, oauth: { introspectionUrl: s.oauth.introspectionUrl } }),
    ]);
    s.mailboxOwner = await insertUser(s.t.db, "mailbox-owner");
    s.profileOwner = await insertUser(s.t.db, "profile-owner");
  });
  afterAll(async () => {
    await s.dovecot?.destroy();
    await s.smtp?.stop();
    await s.oauth?.stop();
    await s.t?.close();
    vi.unstubAllEnvs();
  });
  return s;
}

/** A profile whose incoming (Dovecot) and outgoing (smtp-server) sides sign in with OAuth 2.0 at the test server. */
export async function oauthProfile(s: OAuthMailSuite, o: Partial<NewProfile> & { clientSecret?: string; serviceAccountKey?: object; certificate?: object } = {}): Promise<string> {
  const { clientSecret, serviceAccountKey, certificate, ...over } = o;
  const pop3 = over.incomingProtocol === "pop3";
  const [p] = await s.t.db
    .insert(profiles)
    .values({
      name: `OAuth ${randomUUID()}`,
      ownerId: s.profileOwner,
      serverType: "pop3smtp",
      incomingProtocol: "imap",
      incomingHost: "127.0.0.1",
      incomingPort: pop3 ? s.dovecot.ports.pop3s : s.dovecot.ports.imaps,
      incomingTls: true,
      outgoingHost: "127.0.0.1",
      outgoingPort: s.smtp.ports.starttls,
      outgoingTls: false,
      credentialMode: "mailbox",
      incomingAuthMethod: "xoauth2",
      outgoingAuthMethod: "xoauth2",
      processEmailFrom: new Date("2000-01-01T00:00:00Z"),
      oauthProvider: "google",
      oauthClientId: WEB_CLIENT.id,
      oauthClientSecretSealed: sealSecret(clientSecret ?? WEB_CLIENT.secret, null),
      oauthServiceAccountKeySealed: serviceAccountKey ? sealSecret(JSON.stringify(serviceAccountKey), null) : null,
      oauthClientCertificateSealed: certificate ? sealSecret(JSON.stringify(certificate), null) : null,
      oauthAuthorizationUrl: s.oauth.endpoints.authorization,
      oauthTokenUrl: s.oauth.endpoints.token,
      oauthRevocationUrl: s.oauth.endpoints.revocation,
      oauthScopes: DELEGATED_SCOPE,
      ...over,
    })
    .returning({ id: profiles.id });
  return p.id;
}

/** A queue mailbox for `address` on the profile, both directions by server-side sync, enabled and due. */
export async function oauthMailbox(s: OAuthMailSuite, profileId: string, address: string, o: { password?: string } = {}): Promise<string> {
  const [m] = await s.t.db
    .insert(mailboxes)
    .values({
      kind: "queue",
      name: `Box ${address}`,
      emailAddress: address,
      ownerId: s.mailboxOwner,
      profileId,
      incomingDelivery: "server_side_sync",
      outgoingDelivery: "server_side_sync",
      approvedAt: new Date(),
      incomingEnabled: true,
      incomingStatus: "success",
      outgoingEnabled: true,
      outgoingStatus: "success",
      passwordSealed: o.password ? sealSecret(o.password, null) : null,
      nextSyncAt: new Date(Date.now() - 1000),
    })
    .returning({ id: mailboxes.id });
  return m.id;
}

/** Signs `address` in at the test server (login form, consent, code + PKCE) and stores the sign-in for the mailbox. */
export async function connectMailbox(s: OAuthMailSuite, mailboxId: string, profileId: string, address: string, client = { id: WEB_CLIENT.id, secret: WEB_CLIENT.secret }): Promise<void> {
  const tokens = await signInThroughBrowserForm(s.oauth, { clientId: client.id, clientSecret: client.secret, redirectUri: WEB_CLIENT.redirectUri, email: address, scope: DELEGATED_SCOPE });
  await saveDelegatedCredential(s.t.db, {
    mailboxId,
    profileId,
    account: tokens.email ?? address,
    refreshToken: tokens.refresh_token!,
    accessToken: tokens.access_token,
    expiresInSeconds: tokens.expires_in ?? 3600,
    scope: tokens.scope,
    connectedById: s.mailboxOwner,
  });
}

/** Queues one plain email from the mailbox; returns its Message-ID. */
export async function queueTestEmail(db: Db, mailboxId: string, subject = "OAuth test"): Promise<string> {
  const messageId = `<${randomUUID()}@mailroom.test>`;
  await db.insert(outbox).values({ mailboxId, messageId, toList: [{ address: "someone@example.org", name: "" }], subject, textBody: "Sent with an OAuth access token." });
  return messageId;
}

/** Alerts of one recipient whose dedup key starts with `prefix`. */
export async function alertsWith(db: Db, recipientId: string, prefix: string) {
  return db.select().from(alerts).where(and(eq(alerts.recipientId, recipientId), like(alerts.dedupKey, `${prefix}%`)));
}

export async function mailboxState(db: Db, id: string) {
  const [m] = await db.select().from(mailboxes).where(eq(mailboxes.id, id));
  return m;
}
