import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { users } from "../../../db/schema/users";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { AppError } from "../../../lib/errors";
import { createProfile } from "../../../lib/profiles/create-profile";
import { deleteProfile } from "../../../lib/profiles/delete-profile";
import { getProfile } from "../../../lib/profiles/get-profile";
import { getProfileConnection } from "../../../lib/profiles/get-profile-connection";
import { listProfiles } from "../../../lib/profiles/list-profiles";
import { setDefaultProfile } from "../../../lib/profiles/set-default-profile";
import { updateProfile } from "../../../lib/profiles/update-profile";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, profileForm, type Actors } from "./test-actors";
import { inEnglishRefusal, type EnglishRefusal } from "../../harness/english";

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

const PASSWORD = "Corr3ct-Horse-Battery";

/** The refusal as an English reader sees it (its text and field messages rendered from the catalogue). */
async function refusal(promise: Promise<unknown>): Promise<EnglishRefusal> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return inEnglishRefusal(err);
}

async function storedRow(id: string) {
  const [row] = await t.db.select().from(profiles).where(eq(profiles.id, id));
  return row;
}

async function addMailbox(profileId: string, name: string) {
  const [m] = await t.db.insert(mailboxes).values({ kind: "queue", name, emailAddress: `${name}@example.com`, profileId }).returning();
  return m;
}

test("an admin creates a profile: blank ports are filled, the password is sealed and never comes back", async () => {
  const view = await createProfile(t.db, a.admin, { values: profileForm({ ownerId: a.admin.id }), secureChannel: true });
  expect(view).toMatchObject({
    name: "Corporate mail",
    incomingPort: 993,
    outgoingPort: 465,
    credentialMode: "profile",
    userName: "relay@example.com",
    passwordSet: true,
    outgoingPasswordSet: false,
    ownerName: "Ada Admin",
    mailboxCount: 0,
    maxConnections: 10,
    isDefault: false,
  });
  expect(JSON.stringify(view)).not.toContain(PASSWORD);
  expect(Object.keys(view).some((k) => /sealed/i.test(k))).toBe(false);

  // What is stored is ciphertext: neither the text nor its raw bytes contain the password.
  const row = await storedRow(view.id);
  expect(row.passwordSealed).toMatch(/^v2\.test\./); // bound to this row and column
  expect(row.passwordSealed).not.toContain(PASSWORD);
  const [raw] = await t.db.execute<{ bytes: string }>(sql`select encode(convert_to(password_sealed, 'UTF8'), 'escape') as bytes from profiles where id = ${view.id}`);
  expect(raw.bytes).not.toContain(PASSWORD);
  const ciphertext = Buffer.from(row.passwordSealed!.split(".")[4], "base64url");
  expect(ciphertext.includes(Buffer.from(PASSWORD))).toBe(false);

  // The worker gets it back unsealed.
  const connection = await getProfileConnection(t.db, { id: view.id });
  expect(connection.incoming).toMatchObject({ protocol: "imap", host: "imap.example.com", port: 993, tls: true, credentials: { user: "relay@example.com", pass: PASSWORD } });
  expect(connection.outgoing.credentials).toEqual({ user: "relay@example.com", pass: PASSWORD });
  await t.db.delete(profiles);
});

test("a Gmail profile gets Gmail's locations and ports on the server, whatever the request said", async () => {
  const view = await createProfile(t.db, a.admin, {
    values: profileForm({ name: "Gmail", serverType: "gmail", incomingHost: "", outgoingHost: "", incomingPort: "143", incomingTls: "", credentialMode: "mailbox", userName: "", password: "" }),
    secureChannel: true,
  });
  expect(view).toMatchObject({ incomingHost: "imap.gmail.com", incomingPort: 993, incomingTls: true, outgoingHost: "smtp.gmail.com", outgoingPort: 465, passwordSet: false });
  const connection = await getProfileConnection(t.db, { id: view.id });
  expect(connection.credentialMode).toBe("mailbox");
  expect(connection.incoming.credentials).toBeNull();
  await t.db.delete(profiles);
});

test("names are unique ignoring case, on create and on rename", async () => {
  const first = await createProfile(t.db, a.admin, { values: profileForm({ name: "Support" }), secureChannel: true });
  const dup = await refusal(createProfile(t.db, a.admin, { values: profileForm({ name: "SUPPORT" }), secureChannel: true }));
  expect(dup.code).toBe("invalid");
  expect(dup.fieldErrors.name?.[0]).toMatch(/A profile named "SUPPORT" already exists.*Choose another name/);

  const other = await createProfile(t.db, a.admin, { values: profileForm({ name: "Sales" }), secureChannel: true });
  const renamed = await refusal(updateProfile(t.db, a.admin, { id: other.id, values: profileForm({ name: "support" }), secureChannel: true }));
  expect(renamed.fieldErrors.name?.[0]).toMatch(/already exists/);
  expect((await getProfile(t.db, a.admin, { id: other.id })).name).toBe("Sales");
  // Renaming a profile to a new casing of its own name is fine.
  expect((await updateProfile(t.db, a.admin, { id: first.id, values: profileForm({ name: "SUPPORT" }), secureChannel: true })).name).toBe("SUPPORT");
  await t.db.delete(profiles);
});

test("editing with a blank password keeps the stored one; other fields change", async () => {
  const created = await createProfile(t.db, a.admin, { values: profileForm(), secureChannel: true });
  const before = await storedRow(created.id);
  const edited = await updateProfile(t.db, a.admin, {
    id: created.id,
    values: profileForm({ password: "", description: "Moved to new host", incomingHost: "mail2.example.com", maxConnections: "3" }),
    secureChannel: true,
  });
  expect(edited).toMatchObject({ passwordSet: true, description: "Moved to new host", incomingHost: "mail2.example.com", maxConnections: 3, appendSentToImap: false });
  // "Append sent mail to the IMAP Sent folder" is saved from the form (ticked), and unticked again.
  expect(await updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ password: "", appendSentToImap: "on" }), secureChannel: true })).toMatchObject({ appendSentToImap: true });
  expect((await getProfileConnection(t.db, { id: created.id })).appendSentToImap).toBe(true);
  expect(await updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ password: "" }), secureChannel: true })).toMatchObject({ appendSentToImap: false });
  expect((await storedRow(created.id)).passwordSealed).toBe(before.passwordSealed);
  expect((await getProfileConnection(t.db, { id: created.id })).incoming.credentials?.pass).toBe(PASSWORD);

  // A typed password replaces it.
  await updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ password: "N3w-Passw0rd!" }), secureChannel: true });
  expect((await getProfileConnection(t.db, { id: created.id })).incoming.credentials?.pass).toBe("N3w-Passw0rd!");
  await t.db.delete(profiles);
});

test("the clear flag removes a stored password; in profile mode it needs a new one instead", async () => {
  const created = await createProfile(t.db, a.admin, {
    values: profileForm({ useSameForOutgoing: "", outgoingUserName: "smtp-user", outgoingPassword: "Smtp-Passw0rd" }),
    secureChannel: true,
  });
  expect(created).toMatchObject({ passwordSet: true, outgoingPasswordSet: true });
  const sealedBefore = (await storedRow(created.id)).passwordSealed;

  // Clearing the password the profile signs in with, without a new one, is refused and changes nothing.
  const refused = await refusal(
    updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ password: "", clearPassword: "on", useSameForOutgoing: "", outgoingUserName: "smtp-user" }), secureChannel: true }),
  );
  expect(refused.fieldErrors.password?.[0]).toMatch(/Enter a new password instead of clearing it/);
  expect((await storedRow(created.id)).passwordSealed).toBe(sealedBefore);

  // "Use same settings for outgoing" with the outgoing password cleared: it is gone.
  const same = await updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ password: "", clearOutgoingPassword: "on" }), secureChannel: true });
  expect(same).toMatchObject({ passwordSet: true, outgoingPasswordSet: false, outgoingUserName: null });
  expect((await storedRow(created.id)).outgoingPasswordSealed).toBeNull();

  // Credentials per mailbox with the password cleared: the profile keeps none.
  const perMailbox = await updateProfile(t.db, a.admin, {
    id: created.id,
    values: profileForm({ credentialMode: "mailbox", userName: "", password: "", clearPassword: "on" }),
    secureChannel: true,
  });
  expect(perMailbox).toMatchObject({ credentialMode: "mailbox", passwordSet: false, userName: null });
  const row = await storedRow(created.id);
  expect(row.passwordSealed).toBeNull();
  expect(row.userName).toBeNull();
  await t.db.delete(profiles);
});

test("at most one profile is the default; setting one clears the other", async () => {
  const one = await createProfile(t.db, a.admin, { values: profileForm({ name: "One", isDefault: "on" }), secureChannel: true });
  const two = await createProfile(t.db, a.admin, { values: profileForm({ name: "Two", isDefault: "on" }), secureChannel: true });
  const defaults = async () => (await t.db.select({ name: profiles.name }).from(profiles).where(eq(profiles.isDefault, true))).map((r) => r.name);
  expect(await defaults()).toEqual(["Two"]);
  expect((await getProfile(t.db, a.admin, { id: one.id })).isDefault).toBe(false);

  await setDefaultProfile(t.db, a.admin, { id: one.id });
  expect(await defaults()).toEqual(["One"]);
  // Editing One without the tick leaves no default.
  await updateProfile(t.db, a.admin, { id: one.id, values: profileForm({ name: "One", password: "" }), secureChannel: true });
  expect(await defaults()).toEqual([]);

  // Admins racing to set different defaults: every call succeeds and exactly one default remains.
  await Promise.all(Array.from({ length: 10 }, (_, i) => setDefaultProfile(t.db, a.admin, { id: i % 2 ? one.id : two.id })));
  expect((await defaults()).length).toBe(1);

  await setDefaultProfile(t.db, a.admin, { id: null });
  expect(await defaults()).toEqual([]);
  const gone = await refusal(setDefaultProfile(t.db, a.admin, { id: "00000000-0000-4000-8000-000000000000" }));
  expect(gone.code).toBe("not_found");
  await t.db.delete(profiles);
});

test("a profile used by mailboxes cannot be deleted; the message says how many", async () => {
  const p = await createProfile(t.db, a.admin, { values: profileForm(), secureChannel: true });
  const m1 = await addMailbox(p.id, "support");
  const one = await refusal(deleteProfile(t.db, a.admin, { id: p.id }));
  expect(one.code).toBe("conflict");
  expect(one.text).toMatch(/^1 mailbox uses this profile, so it cannot be deleted\. Move that mailbox to another profile/);
  const m2 = await addMailbox(p.id, "sales");
  expect((await refusal(deleteProfile(t.db, a.admin, { id: p.id }))).text).toMatch(/^2 mailboxes use this profile/);
  expect((await getProfile(t.db, a.admin, { id: p.id })).mailboxCount).toBe(2);

  await t.db.delete(mailboxes).where(eq(mailboxes.id, m1.id));
  await t.db.delete(mailboxes).where(eq(mailboxes.id, m2.id));
  await deleteProfile(t.db, a.admin, { id: p.id });
  expect((await refusal(getProfile(t.db, a.admin, { id: p.id }))).code).toBe("not_found");
  expect((await refusal(deleteProfile(t.db, a.admin, { id: p.id }))).code).toBe("not_found");
  expect((await refusal(deleteProfile(t.db, a.admin, { id: "not-a-uuid" }))).code).toBe("not_found");
});

test("the list is paged and sortable, with owner name and mailbox count, and carries no secrets", async () => {
  const names = ["delta", "Alpha", "charlie", "Bravo", "echo"];
  const made = [];
  for (const name of names) {
    made.push(await createProfile(t.db, a.admin, { values: profileForm({ name, ownerId: a.manager.id, serverType: name === "echo" ? "gmail" : "pop3smtp" }), secureChannel: true }));
  }
  await addMailbox(made[0].id, "d1");
  await addMailbox(made[0].id, "d2");

  const first = await listProfiles(t.db, a.manager, { pageSize: 2 });
  expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2, pageCount: 3, sort: "name", direction: "asc" });
  expect(first.items.map((p) => p.name)).toEqual(["Alpha", "Bravo"]);
  const last = await listProfiles(t.db, a.manager, { page: "3", pageSize: "2" });
  expect(last.items.map((p) => p.name)).toEqual(["echo"]);
  // A page past the end shows the last page rather than nothing.
  expect((await listProfiles(t.db, a.manager, { page: 99, pageSize: 2 })).page).toBe(3);

  const desc = await listProfiles(t.db, a.admin, { sort: "name", direction: "desc" });
  expect(desc.items.map((p) => p.name)).toEqual(["echo", "delta", "charlie", "Bravo", "Alpha"]);
  const byType = await listProfiles(t.db, a.admin, { sort: "type" });
  expect(byType.items.map((p) => p.serverType)).toEqual(["gmail", "pop3smtp", "pop3smtp", "pop3smtp", "pop3smtp"]);
  const byCreated = await listProfiles(t.db, a.admin, { sort: "created", direction: "desc" });
  expect(byCreated.items[0].name).toBe("echo");

  const delta = desc.items.find((p) => p.name === "delta")!;
  expect(delta).toMatchObject({ mailboxCount: 2, ownerName: "Max Manager", passwordSet: true });
  const json = JSON.stringify(desc);
  expect(json).not.toContain(PASSWORD);
  expect(json).not.toMatch(/"v1\./);

  // Junk from a URL falls back to the defaults.
  expect((await listProfiles(t.db, a.admin, { page: "x", pageSize: "-5", sort: "password_sealed" })).sort).toBe("name");
  await t.db.delete(mailboxes);
  await t.db.delete(profiles);
});

test("an unknown owner is a field error; a deleted owner leaves the profile without one", async () => {
  const bad = await refusal(createProfile(t.db, a.admin, { values: profileForm({ ownerId: "00000000-0000-4000-8000-000000000000" }), secureChannel: true }));
  expect(bad.fieldErrors.ownerId?.[0]).toMatch(/no longer exists/);

  const [leaver] = await t.db.insert(users).values({ email: "leaver@example.com", name: "Lee Leaver", passwordHash: "not-used" }).returning();
  const p = await createProfile(t.db, a.admin, { values: profileForm({ ownerId: leaver.id }), secureChannel: true });
  expect(p.ownerName).toBe("Lee Leaver");
  await t.db.delete(users).where(eq(users.id, leaver.id));
  expect(await getProfile(t.db, a.admin, { id: p.id })).toMatchObject({ ownerId: null, ownerName: null });
  await t.db.delete(profiles);
});

test("typed credentials over plain HTTP are refused with the reason (MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP unset)", async () => {
  const err = await refusal(createProfile(t.db, a.admin, { values: profileForm(), secureChannel: false }));
  expect(err.fieldErrors.password?.[0]).toMatch(/plain HTTP.*HTTPS.*MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP=1/);
  expect(err.fieldErrors.userName?.[0]).toMatch(/plain HTTP/);
  expect(await t.db.select().from(profiles)).toEqual([]);

  // Over HTTP an admin can still edit everything else; stored credentials stay.
  const p = await createProfile(t.db, a.admin, { values: profileForm(), secureChannel: true });
  const edited = await updateProfile(t.db, a.admin, { id: p.id, values: profileForm({ userName: "", password: "", description: "edited over http" }), secureChannel: false });
  expect(edited).toMatchObject({ description: "edited over http", userName: "relay@example.com", passwordSet: true });
  await t.db.delete(profiles);
});

test("each function checks the caller's role on the server", async () => {
  const p = await createProfile(t.db, a.admin, { values: profileForm({ name: "Guarded" }), secureChannel: true });
  const cases: Array<[string, (actor: Actors[keyof Actors] | null) => Promise<unknown>, Array<keyof Actors>]> = [
    ["createProfile", (actor) => createProfile(t.db, actor, { values: profileForm({ name: `By ${actor?.role}` }), secureChannel: true }), ["admin"]],
    ["updateProfile", (actor) => updateProfile(t.db, actor, { id: p.id, values: profileForm({ name: "Guarded", password: "" }), secureChannel: true }), ["admin"]],
    ["setDefaultProfile", (actor) => setDefaultProfile(t.db, actor, { id: p.id }), ["admin"]],
    ["listProfiles", (actor) => listProfiles(t.db, actor, {}), ["admin", "manager"]],
    ["getProfile", (actor) => getProfile(t.db, actor, { id: p.id }), ["admin", "manager"]],
  ];
  for (const [name, call, allowed] of cases) {
    for (const who of ["admin", "manager", "member"] as const) {
      if (allowed.includes(who)) await call(a[who]);
      else await expect(call(a[who]), `${name} as ${who}`).rejects.toMatchObject({ code: "forbidden" });
    }
    await expect(call(null), `${name} signed out`).rejects.toMatchObject({ code: "unauthenticated" });
  }
  // Refused calls changed nothing: only the admin's profile was created.
  expect((await t.db.select({ name: profiles.name }).from(profiles)).map((r) => r.name).sort()).toEqual(["By admin", "Guarded"]);

  for (const who of ["manager", "member"] as const) {
    await expect(deleteProfile(t.db, a[who], { id: p.id })).rejects.toMatchObject({ code: "forbidden" });
  }
  await expect(deleteProfile(t.db, null, { id: p.id })).rejects.toMatchObject({ code: "unauthenticated" });
  expect((await getProfile(t.db, a.admin, { id: p.id })).name).toBe("Guarded");
  await expect(deleteProfile(t.db, a.admin, { id: p.id })).resolves.toBeUndefined();
});

const storedSlowMail = async (id: string) => (await t.db.select({ v: profiles.slowMailMinutes }).from(profiles).where(eq(profiles.id, id)))[0].v;

test("the slow-mail threshold is set on the profile form: a number of minutes, blank for no warning, anything else refused on its field", async () => {
  const created = await createProfile(t.db, a.admin, { values: profileForm({ name: "Slow mail watched", slowMailMinutes: "45" }), secureChannel: true });
  expect(created).toMatchObject({ slowMailMinutes: 45 });
  expect(await storedSlowMail(created.id)).toBe(45);
  await updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ name: "Slow mail watched", password: "", slowMailMinutes: "" }), secureChannel: true });
  expect(await storedSlowMail(created.id)).toBeNull();
  for (const bad of ["0", "1441", "ten", "2.5"]) {
    const err = await refusal(updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ name: "Slow mail watched", password: "", slowMailMinutes: bad }), secureChannel: true }));
    expect(err.code).toBe("invalid");
    expect(err.fieldErrors.slowMailMinutes?.[0]).toMatch(/slow-mail threshold from 1 to 1440 minutes/);
  }
  expect(await storedSlowMail(created.id)).toBeNull();
});

test("'allow unencrypted connections' is off by default, set by admins only, and reaches the connectors and the views", async () => {
  const off = await createProfile(t.db, a.admin, { values: profileForm({ name: "TLS required", incomingTls: "", outgoingTls: "" }), secureChannel: true });
  expect(off.allowUnencrypted).toBe(false);
  expect((await getProfileConnection(t.db, { id: off.id })).allowUnencrypted).toBe(false);
  const on = await createProfile(t.db, a.admin, { values: profileForm({ name: "Old server", incomingTls: "", outgoingTls: "", allowUnencrypted: "on" }), secureChannel: true });
  expect(on.allowUnencrypted).toBe(true);
  expect((await getProfileConnection(t.db, { id: on.id })).allowUnencrypted).toBe(true);
  expect((await getProfile(t.db, a.manager, { id: on.id })).allowUnencrypted).toBe(true);
  await expect(updateProfile(t.db, a.manager, { id: off.id, values: profileForm({ name: "TLS required", allowUnencrypted: "on" }), secureChannel: true })).rejects.toMatchObject({ code: "forbidden" });
  expect((await getProfileConnection(t.db, { id: off.id })).allowUnencrypted).toBe(false);
});
