// Distinctive passwords set on a profile (incoming and outgoing) and on mailboxes, then used
// by a real worker (a successful sync, a refused login, a send): none of them appears in
// the worker's log, in what the pages' domain functions return, or anywhere in a full dump
// of the database (as text, as hex or as base64). The browser half (every page as every role,
// RSC payloads, action responses, the web server's log) is tests/e2e/security.spec.ts.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { listAlerts } from "../../lib/alerts/list-alerts";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { getMailbox } from "../../lib/mailboxes/get-mailbox";
import { listMailboxes } from "../../lib/mailboxes/list-mailboxes";
import { setMailboxCredentials } from "../../lib/mailboxes/set-mailbox-credentials";
import { queueEmail } from "../../lib/outbox/queue-email";
import { createProfile } from "../../lib/profiles/create-profile";
import { getProfile } from "../../lib/profiles/get-profile";
import { listProfiles } from "../../lib/profiles/list-profiles";
import { createTestDb, type TestDb } from "../harness/db";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { startSmtpServer, type TestSmtp } from "../harness/smtp";
import { createTestPki } from "../harness/tls";
import { makeActor, makeMailbox } from "../integration/mailboxes/fixtures";
import { testMessage } from "../integration/sync/sync-fixtures";
import { startWorker, waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { figure } from "../reliability/support/fault-kit";

const pki = createTestPki();
const secretKey = generateSecretKey("secrets");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

const SECRETS = {
  profileIncoming: "Qx7-ProfileIn-5c1f9e",
  profileOutgoing: "Qx7-ProfileOut-8a2d41",
  mailbox: "Qx7-Mailbox-3b7e02",
  wrongMailbox: "Qx7-WrongPw-9d4c6a",
};
const forms = (s: string) => [s, Buffer.from(s).toString("hex"), Buffer.from(s).toString("base64"), Buffer.from(s).toString("base64url")];

let t: TestDb;
let dovecot: Dovecot;
let smtp: TestSmtp;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  [t, dovecot, smtp] = await Promise.all([createTestDb(), startDovecot({ pki }), startSmtpServer({ pki, users: { relay: SECRETS.profileOutgoing } })]);
});
afterAll(async () => {
  await worker?.stop();
  await smtp?.stop();
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

test("no password in the worker's log, the pages' data or a full database dump", async () => {
  const admin = await makeActor(t.db, "admin");
  const manager = await makeActor(t.db, "mailbox_manager");
  const owner = await makeActor(t.db, "member");
  await dovecot.addUser("shared", SECRETS.profileIncoming);
  await dovecot.addUser("own", SECRETS.mailbox);
  await dovecot.addUser("wrong", "the-right-one");
  for (const u of ["shared", "own", "wrong"]) await dovecot.deliverMany(u, [testMessage(1, { tag: u }), testMessage(2, { tag: u })]);

  // A profile with credentials in the profile (incoming and a separate outgoing password)…
  const shared = await createProfile(t.db, admin, {
    secureChannel: true,
    values: {
      name: "Shared credentials", serverType: "pop3smtp", incomingProtocol: "imap", incomingHost: "127.0.0.1", outgoingHost: "127.0.0.1",
      credentialMode: "profile", userName: "shared", password: SECRETS.profileIncoming, useSameForOutgoing: "", outgoingUserName: "relay", outgoingPassword: SECRETS.profileOutgoing,
      incomingPort: String(dovecot.ports.imaps), outgoingPort: String(smtp.ports.tls), incomingTls: "on", outgoingTls: "on", minPollingIntervalMinutes: "1", ownerId: owner.id, processEmailFrom: "2000-01-01T00:00",
    },
  });
  // …and one with credentials per mailbox.
  const perMailbox = await createProfile(t.db, admin, {
    secureChannel: true,
    values: { name: "Own credentials", serverType: "pop3smtp", incomingProtocol: "pop3", incomingHost: "127.0.0.1", outgoingHost: "127.0.0.1", credentialMode: "mailbox", incomingPort: String(dovecot.ports.pop3s), incomingTls: "on", minPollingIntervalMinutes: "1", processEmailFrom: "2000-01-01T00:00" },
  });
  const enabled = { incomingEnabled: true, incomingStatus: "success" as const, outgoingEnabled: true, outgoingStatus: "success" as const, nextSyncAt: new Date() };
  const sharedBox = await makeMailbox(t.db, { profileId: shared.id, ownerId: owner.id, ...enabled });
  const ownBox = await makeMailbox(t.db, { profileId: perMailbox.id, ownerId: owner.id, ...enabled });
  const wrongBox = await makeMailbox(t.db, { profileId: perMailbox.id, ownerId: owner.id, ...enabled });
  await setMailboxCredentials(t.db, owner, { id: ownBox, userName: "own", password: SECRETS.mailbox, secureChannel: true });
  await setMailboxCredentials(t.db, admin, { id: wrongBox, userName: "wrong", password: SECRETS.wrongMailbox, secureChannel: true });
  await queueEmail(t.db, owner, { mailboxId: sharedBox, to: "someone@example.net", subject: "Secret-free", body: "hello" });

  let state = "";
  worker = await startWorker({ DATABASE_URL: t.url, MAILROOM_SECRET_KEY: secretKey, MAILROOM_EXTRA_CA_FILE: pki.caFile, LOG_LEVEL: "debug" });
  await waitFor("sync, refused login and send", async () => {
    const [r] = await t.db.execute<{ synced: number; refused: number; sent: number }>(sql`
      select (select count(*) from emails)::int as synced,
             (select count(*) from mailboxes where id = ${wrongBox} and last_error_code is not null)::int as refused,
             (select count(*) from outbox where status = 'sent')::int as sent`);
    state = JSON.stringify(r);
    return r.synced >= 4 && r.refused === 1 && r.sent === 1;
  }, 90_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${state}\n${worker?.output().slice(-3000)}`);
  });
  await worker.stop();

  // What the pages show, through the same domain functions, as each role.
  const views: unknown[] = [];
  for (const actor of [admin, manager, owner]) {
    views.push(await listMailboxes(t.db, actor, {}).catch((e: Error) => e.message), await listAlerts(t.db, actor, {}).catch((e: Error) => e.message));
    for (const id of [sharedBox, ownBox, wrongBox]) views.push(await getMailbox(t.db, actor, { id }).catch((e: Error) => e.message));
    for (const id of [shared.id, perMailbox.id]) views.push(await getProfile(t.db, actor, { id }).catch((e: Error) => e.message));
    views.push(await listProfiles(t.db, actor, {}).catch((e: Error) => e.message));
  }
  const viewText = JSON.stringify(views);

  // A full dump: pg_dump when its major version matches the server's, else every row of every table as text.
  const dump = await dumpDatabase(t.url);
  const leaks: string[] = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    for (const form of forms(secret)) {
      if (worker.output().includes(form)) leaks.push(`worker log: ${name}`);
      if (viewText.includes(form)) leaks.push(`page data: ${name}`);
      if (dump.text.includes(form)) leaks.push(`database dump: ${name}`);
    }
  }
  figure("secrets", `4 distinctive passwords (profile incoming/outgoing, mailbox, a wrong one) used for a sync, a refused login and a send: ` +
    `0 occurrences expected in ${Math.round(worker.output().length / 1024)} KB of worker log (debug level), ${Math.round(viewText.length / 1024)} KB of page data for 3 roles, ${Math.round(dump.text.length / 1024)} KB database dump (${dump.how}); found ${leaks.length}`);
  expect(dump.text).toContain("Shared credentials"); // the dump really holds the data
  expect(leaks).toEqual([]);
}, 180_000);

/** pg_dump of `url` when the installed pg_dump speaks the server's major version; else a dump of every row of every table through SQL. */
async function dumpDatabase(url: string): Promise<{ text: string; how: string }> {
  try {
    const { stdout } = await promisify(execFile)("pg_dump", ["--no-owner", "--data-only", url], { maxBuffer: 512 * 1024 * 1024 });
    return { text: stdout, how: "pg_dump" };
  } catch {
    const tables = await t.db.execute<{ name: string }>(sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    let text = "";
    for (const { name } of tables) {
      const rows = await t.db.execute<{ r: string }>(sql.raw(`select x::text as r from "${name}" x`));
      text += `-- ${name}\n${rows.map((r) => r.r).join("\n")}\n`;
      // bytea columns also decoded, so a password inside a raw source would be seen as text.
      const byteaCols = await t.db.execute<{ c: string }>(sql`select column_name as c from information_schema.columns where table_schema = 'public' and table_name = ${name} and data_type = 'bytea'`);
      for (const { c } of byteaCols) {
        const decoded = await t.db.execute<{ r: string }>(sql.raw(`select encode("${c}", 'escape') as r from "${name}"`));
        text += decoded.map((r) => r.r).join("\n");
      }
    }
    return { text, how: `every row of ${tables.length} tables via SQL (pg_dump not usable: version mismatch or not installed)` };
  }
}
