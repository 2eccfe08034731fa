// Out-of-range and wrong-type values for every field of every form, given to the domain
// functions that the server actions call with the submitted values (the actions are thin:
// lib/server/action.ts passes FormData text through). Each is refused with an error beside
// the field, and nothing is stored. The browser half (a few forms posted from Chromium) is
// in tests/e2e/security.spec.ts.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { AppError } from "../../lib/errors";
import { createQueue } from "../../lib/mailboxes/create-queue";
import { setMailboxCredentials } from "../../lib/mailboxes/set-mailbox-credentials";
import { updateMailbox } from "../../lib/mailboxes/update-mailbox";
import { updateMailboxes } from "../../lib/mailboxes/update-mailboxes";
import { queueEmail } from "../../lib/outbox/queue-email";
import { createProfile } from "../../lib/profiles/create-profile";
import { updateProfile } from "../../lib/profiles/update-profile";
import { loadOrgSettings } from "../../lib/settings/load-org-settings";
import { updateOrgSettings } from "../../lib/settings/update-org-settings";
import { createUser } from "../../lib/users/create-user";
import { updateUser } from "../../lib/users/update-user";
import { createTestDb, type TestDb } from "../harness/db";
import { makeActor, makeMailbox, makeProfile } from "../integration/mailboxes/fixtures";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("forms"));

let t: TestDb;
let admin: Actor;
let owner: Actor;
let profileId: string;
let pop3ProfileId: string;
let mailboxId: string;
beforeAll(async () => {
  t = await createTestDb();
  admin = await makeActor(t.db, "admin");
  owner = await makeActor(t.db, "member");
  profileId = await makeProfile(t.db);
  pop3ProfileId = await makeProfile(t.db, { incomingProtocol: "pop3" });
  mailboxId = await makeMailbox(t.db, { ownerId: owner.id, profileId, outgoingEnabled: true, outgoingStatus: "success" });
  // The settings row is made on first read; make it now so the "nothing stored" check sees only what a form did.
  await loadOrgSettings(t.db);
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

const long = (n: number) => "x".repeat(n);
const missingUuid = "7b0c7c43-3d5f-4b8e-9a55-0e8a3b9e2f10";
/** Values of the wrong type or out of range, as a FormData (or a crafted client) could send them. */
const wrongText = (max: number) => [long(max + 1), long(max * 100)];
const wrongPort = ["0", "65536", "-1", "1.5", "abc", "1e3x", "99999999999999999999"];
const wrongChoice = ["", "'; drop table users; --", "IMAP ", "smtp", "<script>", "0"];

const validProfile = {
  name: "Valid profile",
  serverType: "pop3smtp",
  incomingProtocol: "imap",
  incomingHost: "imap.example.com",
  outgoingHost: "smtp.example.com",
  credentialMode: "mailbox",
  minPollingIntervalMinutes: "5",
};

type FieldCase = { field: string; values: unknown[]; call: (v: unknown) => Promise<unknown> };

const profileCases = (edit: boolean): FieldCase[] => {
  const run = (field: string) => (v: unknown) => {
    const values = { ...validProfile, name: `Profile ${Math.random()}`, [field]: v };
    return edit ? updateProfile(t.db, admin, { id: profileId, values, secureChannel: true }) : createProfile(t.db, admin, { values, secureChannel: true });
  };
  return [
    { field: "name", values: ["", "   ", long(101), 42, null], call: run("name") },
    { field: "description", values: wrongText(1000), call: run("description") },
    { field: "ownerId", values: ["not-a-uuid", "1", "' or 1=1 --"], call: run("ownerId") },
    { field: "serverType", values: [...wrongChoice.filter(Boolean), "exchange", ""], call: run("serverType") },
    { field: "incomingProtocol", values: ["smtp", "exchange", "<script>", 7], call: run("incomingProtocol") },
    { field: "incomingHost", values: wrongText(253), call: run("incomingHost") },
    { field: "outgoingHost", values: wrongText(253), call: run("outgoingHost") },
    { field: "credentialMode", values: ["kerberos", "windows", "anonymous", 3], call: run("credentialMode") },
    { field: "incomingPort", values: wrongPort, call: run("incomingPort") },
    { field: "outgoingPort", values: wrongPort, call: run("outgoingPort") },
    { field: "incomingAuthMethod", values: ["gssapi", "ntlm", "PLAIN ", 1], call: run("incomingAuthMethod") },
    { field: "outgoingAuthMethod", values: ["gssapi", "ntlm", 1], call: run("outgoingAuthMethod") },
    { field: "processEmailFrom", values: ["not a date", "2026-13-45T99:99", "yesterday", {}], call: run("processEmailFrom") },
    { field: "minPollingIntervalMinutes", values: ["0", "1441", "-5", "2.5", "often"], call: run("minPollingIntervalMinutes") },
    { field: "maxConnections", values: ["0", "1001", "-1", "ten", "3.3"], call: run("maxConnections") },
  ];
};

const forms: Record<string, FieldCase[]> = {
  "profile (create)": profileCases(false),
  "profile (edit)": profileCases(true),
  "profile credentials": [
    { field: "userName", values: wrongText(256), call: (v) => createProfile(t.db, admin, { values: { ...validProfile, name: `P ${Math.random()}`, credentialMode: "profile", userName: v, password: "pw" }, secureChannel: true }) },
    { field: "password", values: wrongText(1024), call: (v) => createProfile(t.db, admin, { values: { ...validProfile, name: `P ${Math.random()}`, credentialMode: "profile", userName: "u", password: v }, secureChannel: true }) },
    { field: "outgoingUserName", values: wrongText(256), call: (v) => createProfile(t.db, admin, { values: { ...validProfile, name: `P ${Math.random()}`, credentialMode: "profile", userName: "u", password: "p", outgoingUserName: v }, secureChannel: true }) },
    { field: "outgoingPassword", values: wrongText(1024), call: (v) => createProfile(t.db, admin, { values: { ...validProfile, name: `P ${Math.random()}`, credentialMode: "profile", userName: "u", password: "p", outgoingUserName: "o", outgoingPassword: v }, secureChannel: true }) },
  ],
  "org settings": [
    ...(["defaultProfileId", "incomingDelivery", "outgoingDelivery", "actDelivery"] as const).map((field) => ({
      field,
      values: field === "defaultProfileId" ? ["not-a-uuid", missingUuid, 5] : ["smtp", "", "SERVER_SIDE_SYNC", 1],
      call: (v: unknown) => updateOrgSettings(t.db, admin, { values: { defaultProfileId: profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none", [field]: v } }),
    })),
    // ACT by server-side sync is refused with POP3/SMTP and Gmail profiles (SPEC §2).
    { field: "actDelivery", values: ["server_side_sync"], call: (v) => updateOrgSettings(t.db, admin, { values: { defaultProfileId: pop3ProfileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: v } }) },
  ],
  "new user": [
    ...(["email", "name", "password", "role"] as const).map((field) => ({
      field,
      values: { email: ["", "nope", "a@", long(250) + "@x.io", 5], name: ["", long(201), null], password: ["", "short", "password", "aaaaaaaaaaaaaaaa"], role: ["root", "ADMIN", "", 1] }[field],
      call: (v: unknown) => createUser(t.db, admin, { email: `u${Math.random()}@example.com`, name: "New", password: "Quiet-Harbour-8812", role: "member", [field]: v }),
    })),
  ],
  "edit user": [
    ...(["name", "role", "password"] as const).map((field) => ({
      field,
      values: { name: ["", long(201)], role: ["root", "", 3], password: ["short", "password"] }[field],
      call: (v: unknown) => updateUser(t.db, admin, { id: owner.id, name: "Owner", role: "member", active: true, password: "", [field]: v }),
    })),
  ],
  "new queue": [
    ...(["name", "emailAddress", "ownerId"] as const).map((field) => ({
      field,
      values: { name: ["", long(201)], emailAddress: ["", "not-an-address", "a@b", long(250) + "@example.com"], ownerId: ["", "not-a-uuid", missingUuid] }[field],
      call: (v: unknown) => createQueue(t.db, admin, { name: "Queue", emailAddress: `q${Math.random().toString(36).slice(2)}@example.com`, ownerId: owner.id, [field]: v as string }),
    })),
  ],
  "edit mailbox": [
    ...(["name", "emailAddress", "ownerId", "profileId", "incomingDelivery", "outgoingDelivery", "actDelivery"] as const).map((field) => ({
      field,
      values: {
        name: ["", long(201)],
        emailAddress: ["", "not-an-address", long(250) + "@example.com"],
        ownerId: ["not-a-uuid", missingUuid],
        profileId: ["not-a-uuid", missingUuid],
        incomingDelivery: ["smtp", "NONE"],
        outgoingDelivery: ["smtp", "<b>"],
        actDelivery: ["smtp", "server_side_sync"],
      }[field],
      call: (v: unknown) =>
        updateMailbox(t.db, admin, { id: mailboxId, name: "Box", emailAddress: "box@example.com", ownerId: owner.id, profileId, incomingDelivery: "server_side_sync", outgoingDelivery: "server_side_sync", actDelivery: "none", [field]: v as string }),
    })),
  ],
  "edit several mailboxes": [
    ...(["profileId", "incomingDelivery", "outgoingDelivery", "actDelivery"] as const).map((field) => ({
      field,
      values: field === "profileId" ? ["not-a-uuid", missingUuid] : ["smtp", "<b>"],
      call: (v: unknown) => updateMailboxes(t.db, admin, { ids: [mailboxId], profileId: "", incomingDelivery: "", outgoingDelivery: "", actDelivery: "", [field]: v as string }),
    })),
  ],
  "mailbox credentials": [
    { field: "userName", values: wrongText(256), call: (v) => setMailboxCredentials(t.db, admin, { id: mailboxId, userName: v as string, password: "pw", secureChannel: true }) },
    { field: "password", values: wrongText(1024), call: (v) => setMailboxCredentials(t.db, admin, { id: mailboxId, userName: "u", password: v as string, secureChannel: true }) },
  ],
  compose: [
    ...(["to", "cc", "bcc"] as const).map((field) => ({
      field,
      values: ["not an address", "a@b@c", "<script>@x", "ok@example.net, nope", "a@b\r\nBcc: evil@example.net"],
      call: (v: unknown) => queueEmail(t.db, owner, { mailboxId, to: "ok@example.net", subject: "s", body: "b", [field]: v as string }),
    })),
    // The recipient limit counts To, Cc and Bcc together; its error stands beside To.
    ...(["to", "cc", "bcc"] as const).map((over) => ({
      field: "to",
      values: [Array.from({ length: 101 }, (_, i) => `r${i}@example.net`).join(", ")],
      call: (v: unknown) => queueEmail(t.db, owner, { mailboxId, to: "ok@example.net", subject: "s", body: "b", [over]: v as string }),
    })),
    { field: "to", values: [""], call: (v) => queueEmail(t.db, owner, { mailboxId, to: v as string, subject: "s", body: "b" }) },
    { field: "subject", values: [long(501)], call: (v) => queueEmail(t.db, owner, { mailboxId, to: "ok@example.net", subject: v as string, body: "b" }) },
    { field: "body", values: [long(500_001)], call: (v) => queueEmail(t.db, owner, { mailboxId, to: "ok@example.net", subject: "s", body: v as string }) },
    {
      field: "attachments",
      values: [21, 1],
      call: (n) =>
        queueEmail(t.db, owner, {
          mailboxId,
          to: "ok@example.net",
          subject: "s",
          body: "b",
          attachments: n === 21 ? Array.from({ length: 21 }, (_, i) => ({ filename: `f${i}.txt`, contentType: "text/plain", content: Buffer.from("x") })) : [{ filename: "big.bin", contentType: "application/octet-stream", content: Buffer.alloc(30 * 1024 * 1024) }],
        }),
    },
  ],
};

async function fingerprint(): Promise<string> {
  const parts: string[] = [];
  for (const table of ["users", "profiles", "mailboxes", "org_settings", "outbox", "outbox_attachments"]) {
    const [r] = await t.db.execute<{ d: string }>(sql.raw(`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as d from ${table} x`));
    parts.push(`${table}:${r.d}`);
  }
  return parts.join(" ");
}

describe.each(Object.entries(forms))("%s form", (_form, cases) => {
  test.each(cases.flatMap((c) => c.values.map((value) => ({ ...c, value, shown: JSON.stringify(value)?.slice(0, 40) }))))("$field = $shown is refused beside the field, nothing stored", async ({ field, value, call }) => {
    const before = await fingerprint();
    let error: unknown;
    try {
      await call(value);
    } catch (err) {
      error = err;
    }
    expect(error, "refused").toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.code).toBe("invalid");
    expect(e.fieldErrors[field]?.length ?? 0, `an error beside "${field}" (got ${JSON.stringify(e.fieldErrors)} / ${e.message})`).toBeGreaterThan(0);
    expect(await fingerprint(), "nothing stored").toBe(before);
  });
});
