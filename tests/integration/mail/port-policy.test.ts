// The outbound port policy (MAILROOM_ALLOWED_PORTS) is checked at every connection, not only
// when a profile is saved (issue 13): a profile stored before the policy (or written to the
// database directly) is refused by sync and by test & enable, with the port field named and
// an alert, and no connection is made. Credentials with CR, LF or NUL are refused the same way.
import net from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { sealContext } from "../../../lib/crypto/seal-context";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { testOutgoingConnection } from "../../../lib/mail/test-outgoing";
import { runMailboxTest } from "../../../lib/mailboxes/run-mailbox-test";
import { syncDueMailboxes } from "../../../lib/sync/sync-due-mailboxes";
import { createTestDb, type TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { insertMailbox, insertProfile, insertUser, makeDue, testSyncOptions } from "../sync/sync-fixtures";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
vi.stubEnv("MAILROOM_ALLOWED_PORTS", "993,465");

let t: TestDb;
let server: net.Server;
let port: number;
let connections = 0;
beforeAll(async () => {
  t = await createTestDb();
  // Stands where a mail server would be: any connection to it breaks the policy.
  server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t?.close();
  vi.unstubAllEnvs();
});

async function forbiddenMailbox(protocol: "imap" | "pop3") {
  const ownerId = await insertUser(t.db);
  const fake = { ports: { imap: port, imaps: port, pop3: port, pop3s: port } } as unknown as Dovecot;
  const profileId = await insertProfile(t.db, { dovecot: fake, protocol, ownerId, port, tls: false });
  await t.db.update(profiles).set({ outgoingPort: port }).where(eq(profiles.id, profileId));
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "u", password: "Some-Password-1" });
  await t.db.update(mailboxes).set({ outgoingDelivery: "server_side_sync" }).where(eq(mailboxes.id, mailboxId));
  return { mailboxId, ownerId };
}

test.each(["imap", "pop3"] as const)("%s sync: refused before connecting, incoming disabled with the port named, and the owner alerted", async (protocol) => {
  const { mailboxId, ownerId } = await forbiddenMailbox(protocol);
  await makeDue(t.db, mailboxId);
  const outcomes = await syncDueMailboxes(t.db, testSyncOptions(`policy-${protocol}`));
  expect(outcomes.find((o) => o.mailboxId === mailboxId)).toMatchObject({
    result: "disabled",
    error: { kind: "permanent", code: "port_not_allowed", field: "incomingPort", message: { key: "mailError.portNotAllowed", params: expect.objectContaining({ port, allowed: "993, 465" }) } },
  });
  const [row] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  expect(row).toMatchObject({ incomingEnabled: false, lastErrorCode: "port_not_allowed" });
  expect((await t.db.select().from(alerts).where(eq(alerts.mailboxId, mailboxId))).map((a) => a.recipientId)).toContain(ownerId);
  expect(connections).toBe(0);
});

test("test & enable: both directions refused with their port fields, nothing enabled, no connection made", async () => {
  const { mailboxId } = await forbiddenMailbox("imap");
  const result = await runMailboxTest(t.db, mailboxId);
  expect(result).toMatchObject({
    outcome: "failure",
    incoming: { status: "failure", code: "port_not_allowed", field: "incomingPort" },
    outgoing: { status: "failure", code: "port_not_allowed", field: "outgoingPort" },
    incomingEnabled: false,
    outgoingEnabled: false,
  });
  const direct = await testOutgoingConnection({ host: "127.0.0.1", port, tls: false, authMethod: "auto", auth: { user: "u", pass: "p" }, timeoutMs: 2000 });
  expect(direct).toMatchObject({ ok: false, error: { code: "port_not_allowed", field: "outgoingPort" } });
  expect(connections).toBe(0);
});

test("a stored password with CR, LF or NUL is never sent: test & enable fails on the credentials before connecting", async () => {
  const { mailboxId } = await forbiddenMailbox("imap");
  for (const bad of ["x\r\nA1 LOGOUT", "p\0w", "line\nbreak"]) {
    await t.db.update(mailboxes).set({ passwordSealed: sealSecret(bad, sealContext(mailboxes.passwordSealed, mailboxId)) }).where(eq(mailboxes.id, mailboxId));
    const result = await runMailboxTest(t.db, mailboxId);
    expect(result?.incoming).toMatchObject({ status: "failure", code: "credentials_unsafe", field: "userName" });
    expect(result?.outgoing).toMatchObject({ status: "failure", code: "credentials_unsafe" });
  }
  expect(connections).toBe(0);
});
