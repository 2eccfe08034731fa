// The deployment flags are read once per process from the environment, so this
// file runs with both set: credentials over HTTP allowed, ports limited to 465/995.
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createProfile } from "../../../lib/profiles/create-profile";
import { getProfileConnection } from "../../../lib/profiles/get-profile-connection";
import { updateProfile } from "../../../lib/profiles/update-profile";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, profileForm, type Actors } from "./test-actors";
import { refusedInEnglish } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
vi.stubEnv("MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP", "1");
vi.stubEnv("MAILROOM_ALLOWED_PORTS", "465, 995");

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

test("with MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP=1, credentials typed over plain HTTP are accepted", async () => {
  const p = await createProfile(t.db, a.admin, { values: profileForm({ name: "Over HTTP", incomingProtocol: "pop3" }), secureChannel: false });
  expect(p.passwordSet).toBe(true);
  expect((await getProfileConnection(t.db, { id: p.id })).incoming.credentials?.pass).toBe("Corr3ct-Horse-Battery");
});

test("MAILROOM_ALLOWED_PORTS refuses a profile whose ports fall outside it, naming the policy", async () => {
  await expect(refusedInEnglish(createProfile(t.db, a.admin, { values: profileForm({ name: "IMAP 993" }), secureChannel: true }))).rejects.toMatchObject({
    code: "invalid",
    fieldErrors: { incomingPort: [expect.stringMatching(/Port 993 is not allowed by this deployment's outbound port policy \(MAILROOM_ALLOWED_PORTS allows only 465, 995\)/)] },
  });
  await expect(refusedInEnglish(
    createProfile(t.db, a.admin, { values: profileForm({ name: "Submission", incomingProtocol: "pop3", outgoingTls: "", outgoingPort: "" }), secureChannel: true }),
  )).rejects.toMatchObject({ fieldErrors: { outgoingPort: [expect.stringMatching(/Port 587 is not allowed/)] } });

  // POP3S 995 and SMTPS 465 pass, on create and on edit.
  const ok = await createProfile(t.db, a.admin, { values: profileForm({ name: "Allowed", incomingProtocol: "pop3" }), secureChannel: true });
  expect(ok).toMatchObject({ incomingPort: 995, outgoingPort: 465 });
  await expect(refusedInEnglish(
    updateProfile(t.db, a.admin, { id: ok.id, values: profileForm({ name: "Allowed", incomingProtocol: "pop3", incomingPort: "110", password: "" }), secureChannel: true }),
  )).rejects.toMatchObject({ fieldErrors: { incomingPort: [expect.stringMatching(/Port 110 is not allowed/)] } });
});
