import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { orgSettings } from "../../../db/schema/settings";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createProfile } from "../../../lib/profiles/create-profile";
import { getProfile } from "../../../lib/profiles/get-profile";
import { getOrgSettings } from "../../../lib/settings/get-org-settings";
import { loadOrgSettings } from "../../../lib/settings/load-org-settings";
import { updateOrgSettings } from "../../../lib/settings/update-org-settings";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, profileForm, type Actors } from "../profiles/test-actors";
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

const form = (over: Record<string, string> = {}) => ({
  defaultProfileId: "",
  incomingDelivery: "server_side_sync",
  outgoingDelivery: "server_side_sync",
  actDelivery: "none",
  processOnlyApproved: "on",
  threadBySubject: "on",
  ...over,
});

const newProfile = (name: string, over: Record<string, string> = {}) =>
  createProfile(t.db, a.admin, { values: profileForm({ name, ...over }), secureChannel: true });

test("the first read creates the single settings row with the defaults", async () => {
  expect(await t.db.select().from(orgSettings)).toEqual([]);
  const s = await getOrgSettings(t.db, a.admin);
  expect(s).toMatchObject({
    defaultProfileId: null,
    defaultProfileName: null,
    incomingDelivery: "server_side_sync",
    outgoingDelivery: "server_side_sync",
    actDelivery: "none",
    processOnlyApproved: true,
    threadBySubject: true,
  });
  expect((await t.db.select().from(orgSettings)).length).toBe(1);
  // Reading from many requests at once still leaves one row.
  await Promise.all(Array.from({ length: 5 }, () => loadOrgSettings(t.db)));
  expect((await t.db.select().from(orgSettings)).length).toBe(1);
});

test("saving settings: the default profile is the profile marked default (one truth), delivery methods and approval are stored", async () => {
  const gmail = await newProfile("Google", { serverType: "gmail", credentialMode: "mailbox", userName: "", password: "" });
  const pop = await newProfile("Legacy POP", { incomingProtocol: "pop3" });

  const s = await updateOrgSettings(t.db, a.admin, { values: form({ defaultProfileId: gmail.id, outgoingDelivery: "email_router", actDelivery: "email_router", processOnlyApproved: "", threadBySubject: "" }) });
  expect(s).toMatchObject({
    defaultProfileId: gmail.id,
    defaultProfileName: "Google",
    defaultProfileServerType: "gmail",
    outgoingDelivery: "email_router",
    actDelivery: "email_router",
    processOnlyApproved: false,
    threadBySubject: false,
  });
  expect((await getProfile(t.db, a.admin, { id: gmail.id })).isDefault).toBe(true);

  // The profile form and the settings page write the same thing.
  await updateOrgSettings(t.db, a.admin, { values: form({ defaultProfileId: pop.id }) });
  expect((await getProfile(t.db, a.admin, { id: gmail.id })).isDefault).toBe(false);
  expect((await getProfile(t.db, a.admin, { id: pop.id })).isDefault).toBe(true);
  await newProfile("Newest", { isDefault: "on" });
  expect((await getOrgSettings(t.db, a.admin)).defaultProfileName).toBe("Newest");

  // None.
  expect((await updateOrgSettings(t.db, a.admin, { values: form() })).defaultProfileId).toBeNull();
  expect(await t.db.select().from(profiles).where(eq(profiles.isDefault, true))).toEqual([]);
  await t.db.delete(profiles);
});

test("ACT by server-side sync is refused for a Gmail or POP3/SMTP default profile, with the reason, and nothing is saved", async () => {
  const gmail = await newProfile("Google", { serverType: "gmail", credentialMode: "mailbox", userName: "", password: "" });
  const pop = await newProfile("Office POP3/SMTP");
  const before = await getOrgSettings(t.db, a.admin);
  for (const p of [gmail, pop]) {
    await expect(refusedInEnglish(updateOrgSettings(t.db, a.admin, { values: form({ defaultProfileId: p.id, actDelivery: "server_side_sync", incomingDelivery: "none" }) }))).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { actDelivery: [expect.stringMatching(/Appointments, contacts and tasks cannot be synchronised through a POP3\/SMTP, Gmail or Microsoft 365 \(IMAP\/POP3\) profile/)] },
    });
  }
  await expect(updateOrgSettings(t.db, a.admin, { values: form({ actDelivery: "server_side_sync" }) })).rejects.toMatchObject({ code: "invalid" });
  const after = await getOrgSettings(t.db, a.admin);
  expect(after).toEqual(before);
  await t.db.delete(profiles);
});

test("changing the default profile does not change existing mailboxes", async () => {
  const one = await newProfile("One");
  const two = await newProfile("Two");
  await updateOrgSettings(t.db, a.admin, { values: form({ defaultProfileId: one.id }) });
  const [m] = await t.db
    .insert(mailboxes)
    .values({ kind: "queue", name: "support", emailAddress: "support@example.com", profileId: one.id, incomingDelivery: "server_side_sync" })
    .returning();
  await updateOrgSettings(t.db, a.admin, { values: form({ defaultProfileId: two.id, incomingDelivery: "email_router" }) });
  const [after] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, m.id));
  expect(after).toMatchObject({ profileId: one.id, incomingDelivery: "server_side_sync" });
  await t.db.delete(mailboxes);
  await t.db.delete(profiles);
});

test("a default profile that no longer exists is a field error", async () => {
  await expect(refusedInEnglish(updateOrgSettings(t.db, a.admin, { values: form({ defaultProfileId: "00000000-0000-4000-8000-000000000000" }) }))).rejects.toMatchObject({
    code: "invalid",
    fieldErrors: { defaultProfileId: [expect.stringMatching(/no longer exists/)] },
  });
});

test("only admins read or change the organisation's settings", async () => {
  await expect(getOrgSettings(t.db, a.admin)).resolves.toBeDefined();
  await expect(updateOrgSettings(t.db, a.admin, { values: form() })).resolves.toBeDefined();
  for (const who of ["manager", "member"] as const) {
    await expect(getOrgSettings(t.db, a[who])).rejects.toMatchObject({ code: "forbidden" });
    await expect(updateOrgSettings(t.db, a[who], { values: form({ processOnlyApproved: "" }) })).rejects.toMatchObject({ code: "forbidden" });
  }
  await expect(getOrgSettings(t.db, null)).rejects.toMatchObject({ code: "unauthenticated" });
  await expect(updateOrgSettings(t.db, null, { values: form({ processOnlyApproved: "" }) })).rejects.toMatchObject({ code: "unauthenticated" });
  expect((await loadOrgSettings(t.db)).processOnlyApproved).toBe(true);
});
