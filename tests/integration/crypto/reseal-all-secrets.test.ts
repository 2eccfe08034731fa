import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { oauthCredentials } from "../../../db/schema/oauth";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { openSecret } from "../../../lib/crypto/open-secret";
import { sealContext } from "../../../lib/crypto/seal-context";
import { parseKeyring } from "../../../lib/crypto/parse-keyring";
import { resealAllSecrets } from "../../../lib/crypto/reseal-all-secrets";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { isBoundSealed, sealedKeyId } from "../../../lib/crypto/sealed-format";
import { getMailboxConnection } from "../../../lib/mailboxes/get-mailbox-connection";
import { createTestDb, type TestDb } from "../../harness/db";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

const k1 = generateSecretKey("k1");
const k2 = generateSecretKey("k2");
const k3 = generateSecretKey("k3");

async function seed(ring: ReturnType<typeof parseKeyring>, suffix: string) {
  const [p] = await t.db
    .insert(profiles)
    .values({
      name: `Profile ${suffix}`,
      serverType: "pop3smtp",
      incomingHost: "mail.example.com",
      outgoingHost: "smtp.example.com",
      incomingPort: 993,
      outgoingPort: 465,
      credentialMode: "profile",
      userName: "relay",
      passwordSealed: sealSecret(`profile-pass-${suffix}`, null, ring),
      useSameForOutgoing: false,
      outgoingUserName: "relay-out",
      outgoingPasswordSealed: sealSecret(`outgoing-pass-${suffix}`, null, ring),
    })
    .returning();
  const [m] = await t.db
    .insert(mailboxes)
    .values({ kind: "queue", name: `Queue ${suffix}`, emailAddress: `q${suffix}@example.com`, profileId: p.id, userName: "q", passwordSealed: sealSecret(`mailbox-pass-${suffix}`, null, ring) })
    .returning();
  await t.db.update(profiles).set({ oauthClientSecretSealed: sealSecret(`client-secret-${suffix}`, null, ring) }).where(eq(profiles.id, p.id));
  await t.db.insert(oauthCredentials).values({
    key: `mailbox:${m.id}`,
    kind: "delegated",
    profileId: p.id,
    mailboxId: m.id,
    refreshTokenSealed: sealSecret(`refresh-${suffix}`, null, ring),
    accessTokenSealed: sealSecret(`access-${suffix}`, null, ring),
  });
  return { p, m };
}

test("rotation re-seals every sealed column under the new key, and the old key is then not needed", async () => {
  const { p, m } = await seed(parseKeyring(k1), "a");
  const rotated = parseKeyring(k2, k1);
  const counts = await resealAllSecrets(t.db, rotated);
  expect(counts).toMatchObject({ profilePasswords: 1, profileOutgoingPasswords: 1, mailboxPasswords: 1, oauthAppSecrets: 1, oauthTokens: 2, resealed: 6, alreadyCurrent: 0, currentKeyId: "k2" });

  const newOnly = parseKeyring(k2);
  const [pr] = await t.db.select().from(profiles).where(eq(profiles.id, p.id));
  const [mr] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, m.id));
  expect(sealedKeyId(pr.passwordSealed!)).toBe("k2");
  expect(openSecret(pr.passwordSealed!, sealContext(profiles.passwordSealed, p.id), newOnly)).toBe("profile-pass-a");
  expect(openSecret(pr.outgoingPasswordSealed!, sealContext(profiles.outgoingPasswordSealed, p.id), newOnly)).toBe("outgoing-pass-a");
  expect(openSecret(mr.passwordSealed!, sealContext(mailboxes.passwordSealed, m.id), newOnly)).toBe("mailbox-pass-a");
  expect(openSecret(pr.oauthClientSecretSealed!, sealContext(profiles.oauthClientSecretSealed, p.id), newOnly)).toBe("client-secret-a");
  const [cr] = await t.db.select().from(oauthCredentials).where(eq(oauthCredentials.mailboxId, m.id));
  expect([openSecret(cr.refreshTokenSealed!, sealContext(oauthCredentials.refreshTokenSealed, cr.key), newOnly), openSecret(cr.accessTokenSealed!, sealContext(oauthCredentials.accessTokenSealed, cr.key), newOnly)]).toEqual(["refresh-a", "access-a"]);

  // Running it again changes nothing.
  const again = await resealAllSecrets(t.db, rotated);
  expect(again).toMatchObject({ resealed: 0, alreadyCurrent: 6 });
});

test("a secret that no key opens stops the rotation and leaves every row as it was", async () => {
  await seed(parseKeyring(k2), "b");
  const lost = generateSecretKey("lost");
  const [orphan] = await t.db
    .insert(mailboxes)
    .values({ kind: "queue", name: "Orphan", emailAddress: "orphan@example.com", userName: "o", passwordSealed: sealSecret("orphan-pass", null, parseKeyring(lost)) })
    .returning();
  const before = await t.db.select().from(profiles);
  await expect(resealAllSecrets(t.db, parseKeyring(k3, k2))).rejects.toThrow(
    new RegExp(`nothing was changed: mailboxes.password_sealed of row ${orphan.id}.*"lost"`),
  );
  const after = await t.db.select().from(profiles);
  expect(after.map((r) => r.passwordSealed).sort()).toEqual(before.map((r) => r.passwordSealed).sort());
  await t.db.delete(mailboxes).where(eq(mailboxes.id, orphan.id));
});

test("npm run rotate-key prints counts and never a secret", async () => {
  const { stdout, stderr } = await run(path.join(root, "node_modules/.bin/tsx"), ["scripts/rotate-key.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t.url, MAILROOM_SECRET_KEY: k3, MAILROOM_OLD_SECRET_KEYS: `${k2},${k1}` },
  });
  expect(stderr).toBe("");
  expect(stdout).toMatch(/Re-sealed 12 secret\(s\) under key "k3"/);
  expect(stdout).toMatch(/profile passwords:\s+2/);
  expect(stdout).toMatch(/mailbox passwords:\s+2/);
  expect(stdout).toMatch(/OAuth app secrets:\s+2/);
  expect(stdout).toMatch(/OAuth tokens:\s+4/);
  expect(stdout).not.toMatch(/pass-[ab]|refresh-[ab]|access-[ab]|client-secret-[ab]/);
  for (const key of [k1, k2, k3]) expect(stdout).not.toContain(key.split(":")[1]);

  const rows = await t.db.select().from(mailboxes);
  expect(rows.every((r) => sealedKeyId(r.passwordSealed!) === "k3")).toBe(true);

  const generated = await run(path.join(root, "node_modules/.bin/tsx"), ["scripts/rotate-key.ts", "--generate"], { cwd: root, env: { ...process.env } });
  expect(parseKeyring(generated.stdout.trim()).current.key.length).toBe(32);
});

test("secrets are bound to their row: a password copied into another mailbox does not open there; rotate-key binds older ones", async () => {
  const ring = parseKeyring(k3);
  const { p } = await seed(ring, "c");
  await t.db.update(profiles).set({ credentialMode: "mailbox" }).where(eq(profiles.id, p.id));
  const [victim, thief] = await t.db
    .insert(mailboxes)
    .values([
      { kind: "queue" as const, name: "Victim", emailAddress: "victim@example.com", profileId: p.id, userName: "v" },
      { kind: "queue" as const, name: "Thief", emailAddress: "thief@example.com", profileId: p.id, userName: "t" },
    ])
    .returning();
  await t.db.update(mailboxes).set({ passwordSealed: sealSecret("victim-pass", sealContext(mailboxes.passwordSealed, victim.id), ring) }).where(eq(mailboxes.id, victim.id));
  // Someone who can write the database but not read the key copies the victim's sealed password.
  const [{ passwordSealed }] = await t.db.select({ passwordSealed: mailboxes.passwordSealed }).from(mailboxes).where(eq(mailboxes.id, victim.id));
  await t.db.update(mailboxes).set({ passwordSealed }).where(eq(mailboxes.id, thief.id));
  vi.stubEnv("MAILROOM_SECRET_KEY", k3);
  try {
    const own = await getMailboxConnection(t.db, victim.id);
    expect(own.incoming.credentials).toMatchObject({ pass: "victim-pass" });
    await expect(getMailboxConnection(t.db, thief.id)).rejects.toMatchObject({ name: "SecretOpenError", reason: "tampered" });
  } finally {
    vi.unstubAllEnvs();
  }
  await t.db.delete(mailboxes).where(eq(mailboxes.id, thief.id));

  // The seeded secrets were sealed before binding (v1): the rotation binds them under the same key.
  const counts = await resealAllSecrets(t.db, ring);
  expect(counts.bound).toBeGreaterThanOrEqual(3);
  const rows = await t.db.select().from(mailboxes);
  expect(rows.filter((r) => r.passwordSealed).every((r) => isBoundSealed(r.passwordSealed!))).toBe(true);
});
