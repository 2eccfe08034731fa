import { randomBytes } from "node:crypto";

/**
 * A fresh key for MAILROOM_SECRET_KEY: "<keyId>:<base64 of 32 random bytes>".
 * The id defaults to "k" + the UTC time to the second, so keys made at
 * different rotations have different ids and sort by age.
 */
export function generateSecretKey(id: string = defaultKeyId()): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`A key id is 1–64 letters, digits, "-" or "_"; got "${id}".`);
  return `${id}:${randomBytes(32).toString("base64")}`;
}

function defaultKeyId(): string {
  return `k${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}`;
}
