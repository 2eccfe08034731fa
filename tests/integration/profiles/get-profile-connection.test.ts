import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createProfile } from "../../../lib/profiles/create-profile";
import { getProfileConnection } from "../../../lib/profiles/get-profile-connection";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, profileForm, type Actors } from "./test-actors";
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

test("separate outgoing credentials reach the SMTP side, the profile's the incoming side", async () => {
  const p = await createProfile(t.db, a.admin, {
    values: profileForm({
      incomingProtocol: "pop3",
      incomingTls: "",
      outgoingTls: "",
      useSameForOutgoing: "",
      outgoingUserName: "smtp-user",
      outgoingPassword: "Smtp-Passw0rd",
      incomingAuthMethod: "cram-md5",
      outgoingAuthMethod: "login",
      processEmailFrom: "2026-01-01T00:00:00Z",
      minPollingIntervalMinutes: "15",
      maxConnections: "4",
      ownerId: a.admin.id,
    }),
    secureChannel: true,
  });
  const c = await getProfileConnection(t.db, { id: p.id });
  expect(c).toMatchObject({
    profileId: p.id,
    credentialMode: "profile",
    ownerId: a.admin.id,
    incoming: { protocol: "pop3", host: "imap.example.com", port: 110, tls: false, authMethod: "cram-md5", credentials: { user: "relay@example.com", pass: "Corr3ct-Horse-Battery" } },
    outgoing: { host: "smtp.example.com", port: 587, tls: false, authMethod: "login", credentials: { user: "smtp-user", pass: "Smtp-Passw0rd" } },
    minPollingIntervalMinutes: 15,
    maxConnections: 4,
  });
  expect(c.processEmailFrom.toISOString()).toBe("2026-01-01T00:00:00.000Z");
});

test("a profile no longer there, or stored with a mode Mailroom cannot use, gives a message a person can act on", async () => {
  await expect(getProfileConnection(t.db, { id: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "not_found" });
  await expect(getProfileConnection(t.db, { id: "nonsense" })).rejects.toMatchObject({ code: "not_found" });
  const p = await createProfile(t.db, a.admin, { values: profileForm({ name: "Legacy" }), secureChannel: true });
  await t.db.update(profiles).set({ credentialMode: "windows" }).where(eq(profiles.id, p.id));
  await expect(refusedInEnglish(getProfileConnection(t.db, { id: p.id }))).rejects.toMatchObject({ code: "invalid", text: expect.stringMatching(/Windows integrated authentication.*Edit the profile/) });
  await t.db.update(profiles).set({ credentialMode: "profile", passwordSealed: null }).where(eq(profiles.id, p.id));
  await expect(refusedInEnglish(getProfileConnection(t.db, { id: p.id }))).rejects.toMatchObject({ text: expect.stringMatching(/no user name or password stored/) });
});
