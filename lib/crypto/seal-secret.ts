import { createCipheriv, randomBytes } from "node:crypto";
import { loadKeyring } from "./load-keyring";
import type { Keyring } from "./parse-keyring";
import { formatSealed, sealedHeader } from "./sealed-format";

/**
 * Encrypts a secret (a mail password) for storage: AES-256-GCM under the current
 * key, a fresh random 12-byte IV each time, the key id stored beside it.
 * Returns text safe for a `text` column; open it with `openSecret`.
 */
export function sealSecret(plain: string, keyring: Keyring = loadKeyring()): string {
  const { id, key } = keyring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(sealedHeader(id));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return formatSealed({ keyId: id, iv, tag: cipher.getAuthTag(), ciphertext });
}
