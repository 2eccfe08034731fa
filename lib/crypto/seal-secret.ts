import { createCipheriv, randomBytes } from "node:crypto";
import { loadKeyring } from "./load-keyring";
import type { Keyring } from "./parse-keyring";
import { formatSealed, SEALED_VERSION, sealedHeader, type SealContext } from "./sealed-format";

/**
 * Encrypts a secret (a mail password, a token) for storage: AES-256-GCM under the
 * current key, a fresh random 12-byte IV each time, the key id stored beside it, and
 * bound to where it is stored (`context`: table, column, row), so it opens only there.
 * `null` seals it unbound (the v1 format) — for tests of older rows only.
 * Returns text safe for a `text` column; open it with `openSecret` and the same context.
 */
export function sealSecret(plain: string, context: SealContext | null, keyring: Keyring = loadKeyring()): string {
  const { id, key } = keyring.current;
  const version = context ? SEALED_VERSION : "v1";
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(sealedHeader(version, id, context));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return formatSealed({ version, keyId: id, iv, tag: cipher.getAuthTag(), ciphertext });
}
