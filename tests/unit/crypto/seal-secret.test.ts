import { expect, test } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { openSecret, SecretOpenError } from "../../../lib/crypto/open-secret";
import { parseKeyring } from "../../../lib/crypto/parse-keyring";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { isBoundSealed, sealedKeyId, type SealContext } from "../../../lib/crypto/sealed-format";

const oldKey = generateSecretKey("k1");
const newKey = generateSecretKey("k2");
const ring = parseKeyring(oldKey);
/** Where the secrets of these tests live: a row's column. */
const HERE: SealContext = { table: "profiles", column: "password_sealed", row: "8b0a7f7e-0000-4000-8000-000000000001" };

test("a sealed secret opens to the same text, including non-ASCII and empty text", () => {
  for (const plain of ["hunter2-Passw0rd", "パスワード🔑", "", "x".repeat(5000)]) {
    expect(openSecret(sealSecret(plain, HERE, ring), HERE, ring)).toBe(plain);
  }
});

test("the sealed text names its key, does not contain the secret, and differs each time (random IV)", () => {
  const a = sealSecret("hunter2-Passw0rd", HERE, ring);
  const b = sealSecret("hunter2-Passw0rd", HERE, ring);
  expect(a).toMatch(/^v2\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
  expect(sealedKeyId(a)).toBe("k1");
  expect(a).not.toBe(b);
  expect(a).not.toContain("hunter2");
  expect(Buffer.from(a.split(".")[4], "base64url").toString("latin1")).not.toContain("hunter2");
});

test("any change to the ciphertext, tag, IV or key id is detected", () => {
  const sealed = sealSecret("hunter2-Passw0rd", HERE, ring);
  const parts = sealed.split(".");
  const flip = (s: string) => {
    const buf = Buffer.from(s, "base64url");
    buf[0] ^= 1;
    return buf.toString("base64url");
  };
  for (const i of [2, 3, 4]) {
    const changed = [...parts];
    changed[i] = flip(changed[i]);
    expect(() => openSecret(changed.join("."), HERE, ring)).toThrow(expect.objectContaining({ reason: "tampered" }));
  }
  // Relabelling a secret with another key id that the ring holds is caught too (the id is authenticated).
  const both = parseKeyring(newKey, oldKey);
  const relabelled = ["v2", "k2", ...parts.slice(2)].join(".");
  expect(() => openSecret(relabelled, HERE, both)).toThrow(SecretOpenError);
});

test("the wrong key under the right id fails the integrity check; an unknown id says which key is missing", () => {
  const sealed = sealSecret("hunter2-Passw0rd", HERE, ring);
  const impostor = parseKeyring(generateSecretKey("k1"));
  expect(() => openSecret(sealed, HERE, impostor)).toThrow(expect.objectContaining({ reason: "tampered", keyId: "k1" }));
  const other = parseKeyring(newKey);
  expect(() => openSecret(sealed, HERE, other)).toThrow(/sealed with key "k1".*MAILROOM_OLD_SECRET_KEYS/);
  expect(() => openSecret(sealed, HERE, other)).toThrow(expect.objectContaining({ reason: "unknown_key" }));
});

test("text that is not a sealed secret is refused as malformed", () => {
  for (const bad of ["hunter2", "v1.k1.a.b", "v3.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AA", "v1.k1.AA.AAAAAAAAAAAAAAAAAAAAAA.AA"]) {
    expect(() => openSecret(bad, HERE, ring)).toThrow(expect.objectContaining({ reason: "malformed" }));
  }
});

test("after rotation, a secret sealed with the old key opens, and new secrets use the new key", () => {
  const sealedBefore = sealSecret("hunter2-Passw0rd", HERE, ring);
  const rotated = parseKeyring(newKey, oldKey);
  expect(openSecret(sealedBefore, HERE, rotated)).toBe("hunter2-Passw0rd");
  const sealedAfter = sealSecret("hunter2-Passw0rd", HERE, rotated);
  expect(sealedKeyId(sealedAfter)).toBe("k2");
  // Once the old key is dropped, only the re-sealed secret still opens.
  const newOnly = parseKeyring(newKey);
  expect(openSecret(sealedAfter, HERE, newOnly)).toBe("hunter2-Passw0rd");
  expect(() => openSecret(sealedBefore, HERE, newOnly)).toThrow(expect.objectContaining({ reason: "unknown_key" }));
});

test("a secret opens only in the row and column it was sealed for: moved to another row or column, it fails", () => {
  const sealed = sealSecret("hunter2-Passw0rd", HERE, ring);
  expect(isBoundSealed(sealed)).toBe(true);
  for (const elsewhere of [
    { ...HERE, row: "8b0a7f7e-0000-4000-8000-000000000002" },
    { ...HERE, column: "outgoing_password_sealed" },
    { ...HERE, table: "mailboxes" },
  ]) {
    expect(() => openSecret(sealed, elsewhere, ring)).toThrow(expect.objectContaining({ reason: "tampered" }));
  }
  expect(() => openSecret(sealed, null, ring)).toThrow(SecretOpenError);
});

test("a secret sealed before binding (v1) still opens wherever it is, until rotate-key binds it", () => {
  const legacy = sealSecret("hunter2-Passw0rd", null, ring);
  expect(legacy).toMatch(/^v1\.k1\./);
  expect(isBoundSealed(legacy)).toBe(false);
  expect(openSecret(legacy, HERE, ring)).toBe("hunter2-Passw0rd");
  expect(openSecret(legacy, null, ring)).toBe("hunter2-Passw0rd");
});
