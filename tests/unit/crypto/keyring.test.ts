import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { loadKeyring } from "../../../lib/crypto/load-keyring";
import { parseKeyring } from "../../../lib/crypto/parse-keyring";
import { parseEnv } from "../../../lib/env";

const b64 = () => randomBytes(32).toString("base64");

test("parses the current key and the old keys, each with its id", () => {
  const current = `k2:${b64()}`;
  const old = `k1:${b64()}, k0:${randomBytes(32).toString("base64url")}`;
  const ring = parseKeyring(current, old);
  expect(ring.current.id).toBe("k2");
  expect(ring.current.key.length).toBe(32);
  expect(ring.old.map((k) => k.id)).toEqual(["k1", "k0"]);
  expect(ring.old.every((k) => k.key.length === 32)).toBe(true);
});

test("a missing key names MAILROOM_SECRET_KEY and says how to create one", () => {
  expect(() => parseKeyring(undefined)).toThrow(/MAILROOM_SECRET_KEY is not set.*randomBytes\(32\)/s);
  expect(() => parseKeyring("  ")).toThrow(/MAILROOM_SECRET_KEY is not set/);
});

test("an invalid key names the variable at fault", () => {
  expect(() => parseKeyring("no-colon-here")).toThrow(/MAILROOM_SECRET_KEY is not valid/);
  expect(() => parseKeyring(`bad.id:${b64()}`)).toThrow(/MAILROOM_SECRET_KEY is not valid.*key id/);
  expect(() => parseKeyring(`k1:${randomBytes(16).toString("base64")}`)).toThrow(/MAILROOM_SECRET_KEY.*32 bytes.*got 16/);
  expect(() => parseKeyring("k1:not*base64!")).toThrow(/MAILROOM_SECRET_KEY.*32 bytes/);
  expect(() => parseKeyring(`k1:${b64()}`, "k0:short")).toThrow(/MAILROOM_OLD_SECRET_KEYS is not valid/);
});

test("one id for two different keys is refused; the same key listed twice is not", () => {
  const k1 = `k1:${b64()}`;
  expect(() => parseKeyring(k1, `k1:${b64()}`)).toThrow(/MAILROOM_OLD_SECRET_KEYS.*"k1".*two different keys/);
  expect(parseKeyring(k1, k1).old).toEqual([]);
});

test("generateSecretKey makes a key the parser accepts, different every time", () => {
  const a = generateSecretKey();
  const b = generateSecretKey();
  expect(a).not.toBe(b);
  expect(a).toMatch(/^k\d{14}:/);
  expect(parseKeyring(a).current.key.length).toBe(32);
  expect(parseKeyring(generateSecretKey("spare")).current.id).toBe("spare");
  expect(() => generateSecretKey("a:b")).toThrow(/key id/);
});

test("loadKeyring reads the parsed environment", () => {
  const key = generateSecretKey("envkey");
  const ring = loadKeyring(parseEnv({ MAILROOM_SECRET_KEY: key }));
  expect(ring.current.id).toBe("envkey");
  expect(() => loadKeyring(parseEnv({}))).toThrow(/MAILROOM_SECRET_KEY is not set/);
});
