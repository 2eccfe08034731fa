/** One AES-256 key and the id stored beside every secret sealed with it. */
export type SecretKey = { id: string; key: Buffer };

/** The key new secrets are sealed with, and older keys still accepted for opening. */
export type Keyring = { current: SecretKey; old: SecretKey[] };

// Ids appear inside the sealed string ("v1.<id>. …") and in "<id>:<key>" lists,
// so they may not contain ".", ":" or ",".
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HOW_TO_CREATE =
  'Create one with: node -e "console.log(\'k1:\'+require(\'node:crypto\').randomBytes(32).toString(\'base64\'))"';

/**
 * Parses MAILROOM_SECRET_KEY ("<keyId>:<base64 of 32 bytes>") and
 * MAILROOM_OLD_SECRET_KEYS (the same, comma separated). Pure, so it can be tested
 * without touching process.env; throws an Error naming the variable at fault.
 */
export function parseKeyring(current: string | undefined, old?: string | undefined): Keyring {
  if (!current?.trim()) {
    throw new Error(
      `MAILROOM_SECRET_KEY is not set: Mailroom needs it to encrypt stored mail passwords. ` +
        `Set it to "<keyId>:<base64 of 32 random bytes>". ${HOW_TO_CREATE}`,
    );
  }
  const currentKey = parseSecretKey(current.trim(), "MAILROOM_SECRET_KEY");
  const oldKeys: SecretKey[] = [];
  for (const entry of (old ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const key = parseSecretKey(entry, "MAILROOM_OLD_SECRET_KEYS");
    const clash = [currentKey, ...oldKeys].find((k) => k.id === key.id);
    if (clash && !clash.key.equals(key.key)) {
      throw new Error(
        `MAILROOM_OLD_SECRET_KEYS: key id "${key.id}" is used for two different keys; ` +
          `each key needs its own id so stored secrets name the key that opens them.`,
      );
    }
    if (!clash) oldKeys.push(key);
  }
  return { current: currentKey, old: oldKeys };
}

function parseSecretKey(text: string, variable: string): SecretKey {
  const colon = text.indexOf(":");
  const id = colon < 0 ? "" : text.slice(0, colon).trim();
  const material = colon < 0 ? "" : text.slice(colon + 1).trim();
  if (!KEY_ID.test(id)) {
    throw new Error(
      `${variable} is not valid: expected "<keyId>:<base64 key>" where the key id is 1–64 letters, digits, "-" or "_". ${HOW_TO_CREATE}`,
    );
  }
  const key = BASE64.test(material) ? Buffer.from(material, "base64") /* Node reads both alphabets */ : null;
  if (!key || key.length !== 32) {
    throw new Error(
      `${variable} is not valid: the key "${id}" must be 32 bytes encoded in base64 (44 characters), got ${key ? key.length : 0} bytes. ${HOW_TO_CREATE}`,
    );
  }
  return { id, key };
}
