import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { oauthCredentials } from "../../../db/schema/oauth";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { openSecret } from "../../../lib/crypto/open-secret";
import { parseKeyring } from "../../../lib/crypto/parse-keyring";
import { resealAllSecrets } from "../../../lib/crypto/reseal-all-secrets";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { sealedKeyId } from "../../../lib/crypto/sealed-format";
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
      passwordSealed: sealSecret(`profile-pass-${suffix}`, ring),
      useSameForOutgoing: false,
      outgoingUserName: "relay-out",
      outgoingPasswordSealed: sealSecret(`outgoing-pass-${suffix}`, ring),
    })
    .returning();
  const [m] = await t.db
    .insert(mailboxes)
    .values({ kind: "queue", name: `Queue ${suffix}`, emailAddress: `q${suffix}@example.com`, profileId: p.id, userName: "q", passwordSealed: sealSecret(`mailbox-pass-${suffix}`, ring) })
    .returning();
  await t.db.update(profiles).set({ oauthClientSecretSealed: sealSecret(`client-secret-${suffix}`, ring) }).where(eq(profiles.id, p.id));
  await t.db.insert(oauthCredentials).values({
    key: `mailbox:${m.id}`,
    kind: "delegated",
    profileId: p.id,
    mailboxId: m.id,
    refreshTokenSealed: sealSecret(`refresh-${suffix}`, ring),
    accessTokenSealed: sealSecret(`access-${suffix}`, ring),
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
  expect(openSecret(pr.passwordSealed!, newOnly)).toBe("profile-pass-a");
  expect(openSecret(pr.outgoingPasswordSealed!, newOnly)).toBe("outgoing-pass-a");
  expect(openSecret(mr.passwordSealed!, newOnly)).toBe("mailbox-pass-a");
  expect(openSecret(pr.oauthClientSecretSealed!, newOnly)).toBe("client-secret-a");
  const [cr] = await t.db.select().from(oauthCredentials).where(eq(oauthCredentials.mailboxId, m.id));
  expect([openSecret(cr.refreshTokenSealed!, newOnly), openSecret(cr.accessTokenSealed!, newOnly)]).toEqual(["refresh-a", "access-a"]);

  // Running it again changes nothing.
  const again = await resealAllSecrets(t.db, rotated);
  expect(again).toMatchObject({ resealed: 0, alreadyCurrent: 6 });
});

test("a secret that no key opens stops the rotation and leaves every row as it was", async () => {
  await seed(parseKeyring(k2), "b");
  const lost = generateSecretKey("lost");
  const [orphan] = await t.db
    .insert(mailboxes)
    .values({ kind: "queue", name: "Orphan", emailAddress: "orphan@example.com", userName: "o", passwordSealed: sealSecret("orphan-pass", parseKeyring(lost)) })
    .returning();
  const before = await t.db.select().from(profiles);
  await expect(resealAllSecrets(t.db, parseKeyring(k3, k2))).rejects.toThrow(
    new RegExp(`nothing was changed: mailboxes.password_sealed of mailbox ${orphan.id}.*"lost"`),
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
