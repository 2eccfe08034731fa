// Plain HTTP from another machine with MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP=1 (the
// guide's AllowCredentialsEntryViaNonSecureChannels): the form enables credentials and
// the server accepts them. The flag unset: insecure-channel.test.ts.
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { credentialsLocked } from "../../../app/(app)/profiles/credential-lock";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createProfile } from "../../../lib/profiles/create-profile";
import { getProfileConnection } from "../../../lib/profiles/get-profile-connection";
import { updateProfile } from "../../../lib/profiles/update-profile";
import { isSecureChannel } from "../../../lib/server/secure-channel";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, profileForm, type Actors } from "./test-actors";

vi.mock("next/headers", () => ({ headers: async () => new Headers({ host: "mail.example.com" }) }));

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
vi.stubEnv("MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP", "1");

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

test("with the flag, the form leaves credentials enabled over plain HTTP", async () => {
  expect(await isSecureChannel()).toBe(false);
  expect(credentialsLocked(false)).toBe(false);
});

test("with the flag, credentials typed over plain HTTP are stored on create and replaced on edit, incoming and outgoing", async () => {
  const secureChannel = await isSecureChannel();
  const created = await createProfile(t.db, a.admin, {
    values: profileForm({ name: "HTTP allowed", useSameForOutgoing: "", outgoingUserName: "smtp-user", outgoingPassword: "Smtp-Passw0rd" }),
    secureChannel,
  });
  expect(created).toMatchObject({ passwordSet: true, outgoingPasswordSet: true });

  await updateProfile(t.db, a.admin, {
    id: created.id,
    values: profileForm({ name: "HTTP allowed", userName: "relay2@example.com", password: "N3w-Over-Http", useSameForOutgoing: "", outgoingUserName: "smtp-user2", outgoingPassword: "N3w-Smtp-Pass" }),
    secureChannel,
  });
  const connection = await getProfileConnection(t.db, { id: created.id });
  expect(connection.incoming.credentials).toEqual({ user: "relay2@example.com", pass: "N3w-Over-Http" });
  expect(connection.outgoing.credentials).toEqual({ user: "smtp-user2", pass: "N3w-Smtp-Pass" });
});
