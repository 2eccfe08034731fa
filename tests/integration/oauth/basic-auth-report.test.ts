// The basic-auth report (SPEC §7): mailboxes that still send a password to Google or
// Microsoft 365 servers — by server type or by host name — per direction; admins only.
import { afterAll, beforeAll, expect, test } from "vitest";
import { listBasicAuthMailboxes } from "../../../lib/oauth/list-basic-auth-mailboxes";
import { createTestDb, type TestDb } from "../../harness/db";
import { makeActors, makeMailbox, makeProfile, type Actors } from "../mailboxes/fixtures";

let t: TestDb;
let a: Actors;
beforeAll(async () => {
  t = await createTestDb();
  a = await makeActors(t.db);
});
afterAll(async () => {
  await t?.close();
});

test("password sign-ins to Gmail, Microsoft 365 and their hosts are listed per direction; OAuth and other servers are not", async () => {
  const sync = { incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync" } as const;
  const gmailPassword = await makeProfile(t.db, { serverType: "gmail", incomingHost: "imap.gmail.com", outgoingHost: "smtp.gmail.com", incomingAuthMethod: "plain", outgoingAuthMethod: "auto" });
  const m365Oauth = await makeProfile(t.db, { serverType: "microsoft365", incomingHost: "outlook.office365.com", outgoingHost: "smtp.office365.com", incomingAuthMethod: "xoauth2", outgoingAuthMethod: "xoauth2", oauthProvider: "microsoft" });
  // A POP3/SMTP profile pointed at Microsoft's SMTP with a password, IMAP elsewhere.
  const byHost = await makeProfile(t.db, { serverType: "pop3smtp", incomingHost: "imap.example.com", outgoingHost: "SMTP.Office365.com", incomingAuthMethod: "auto", outgoingAuthMethod: "login" });
  const elsewhere = await makeProfile(t.db, { serverType: "pop3smtp", incomingHost: "imap.example.com", outgoingHost: "smtp.example.com" });
  const g = await makeMailbox(t.db, { name: "A gmail", profileId: gmailPassword, ...sync });
  await makeMailbox(t.db, { name: "B oauth", profileId: m365Oauth, ...sync });
  const h = await makeMailbox(t.db, { name: "C by host", profileId: byHost, ...sync });
  await makeMailbox(t.db, { name: "D elsewhere", profileId: elsewhere, ...sync });
  // Not synchronised: it sends no password anywhere.
  await makeMailbox(t.db, { name: "E idle", profileId: gmailPassword, incomingDelivery: "none", outgoingDelivery: "none" });

  const report = await listBasicAuthMailboxes(t.db, a.admin);
  expect(report.items.map((r) => [r.mailboxId, r.incoming, r.outgoing])).toEqual([
    [g, "google", "google"],
    [h, null, "microsoft"],
  ]);
  await expect(listBasicAuthMailboxes(t.db, a.manager)).rejects.toMatchObject({ code: "forbidden" });
});
