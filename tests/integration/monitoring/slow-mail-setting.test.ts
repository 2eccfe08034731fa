import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { createProfile } from "../../../lib/profiles/create-profile";
import { updateProfile } from "../../../lib/profiles/update-profile";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, profileForm, type Actors } from "../profiles/test-actors";

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

const stored = async (id: string) => (await t.db.select({ v: profiles.slowMailMinutes }).from(profiles).where(eq(profiles.id, id)))[0].v;

test("the slow-mail threshold is set on the profile form: a number of minutes, blank for no warning, anything else refused on its field", async () => {
  const created = await createProfile(t.db, a.admin, { values: profileForm({ slowMailMinutes: "45" }), secureChannel: true });
  expect(created).toMatchObject({ slowMailMinutes: 45 });
  expect(await stored(created.id)).toBe(45);
  await updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ password: "", slowMailMinutes: "" }), secureChannel: true });
  expect(await stored(created.id)).toBeNull();
  for (const bad of ["0", "1441", "ten", "2.5"]) {
    const err = await updateProfile(t.db, a.admin, { id: created.id, values: profileForm({ password: "", slowMailMinutes: bad }), secureChannel: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "invalid", fieldErrors: { slowMailMinutes: [expect.stringContaining("slow-mail threshold from 1 to 1440 minutes")] } });
  }
  expect(await stored(created.id)).toBeNull();
});
