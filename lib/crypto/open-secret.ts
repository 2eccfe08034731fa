import { createDecipheriv } from "node:crypto";
import { loadKeyring } from "./load-keyring";
import type { Keyring } from "./parse-keyring";
import { parseSealed, sealedHeader, type SealContext } from "./sealed-format";

/**
 * A stored secret that cannot be opened. `reason` lets callers tell an operator
 * problem (a key missing from the environment) from damaged data. The message
 * never contains the secret or the key.
 */
export class SecretOpenError extends Error {
  constructor(
    readonly reason: "malformed" | "unknown_key" | "tampered",
    message: string,
    readonly keyId: string | null = null,
  ) {
    super(message);
    this.name = "SecretOpenError";
  }
}

/**
 * Decrypts a secret sealed by `sealSecret`, with the current key or any old key
 * whose id matches, where it is stored (`context`: a v2 secret opens only in the
 * table, column and row it was sealed for; a v1 secret from before binding opens
 * anywhere until `npm run rotate-key` re-seals it). Throws `SecretOpenError` when
 * the text is not a sealed secret, names a key the environment does not hold, or
 * was altered or moved.
 */
export function openSecret(sealed: string, context: SealContext | null, keyring: Keyring = loadKeyring()): string {
  const parts = parseSealed(sealed);
  if (!parts) throw new SecretOpenError("malformed", "A stored secret is not in the sealed format (v2.<keyId>.<iv>.<tag>.<ciphertext>).");
  const key = [keyring.current, ...keyring.old].find((k) => k.id === parts.keyId);
  if (!key) {
    throw new SecretOpenError(
      "unknown_key",
      `A stored secret was sealed with key "${parts.keyId}", which is neither MAILROOM_SECRET_KEY nor in MAILROOM_OLD_SECRET_KEYS. ` +
        `Add that key to MAILROOM_OLD_SECRET_KEYS, or enter the password again.`,
      parts.keyId,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, parts.iv);
    decipher.setAAD(sealedHeader(parts.version, parts.keyId, context));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretOpenError(
      "tampered",
      `A stored secret sealed with key "${parts.keyId}" failed its integrity check: it was altered or moved from another row or column, or the key with that id is not the one that sealed it.`,
      parts.keyId,
    );
  }
}
