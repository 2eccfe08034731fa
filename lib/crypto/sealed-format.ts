/**
 * The text form of a sealed secret: "v1.<keyId>.<iv>.<tag>.<ciphertext>", each
 * binary part base64url. The key id travels with the secret so that after a key
 * rotation old secrets can still be opened (and found, to be re-sealed).
 */
export type SealedParts = { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer };

export const SEALED_VERSION = "v1";

/** Joins the parts of a sealed secret into its stored text. */
export function formatSealed(p: SealedParts): string {
  return [SEALED_VERSION, p.keyId, p.iv.toString("base64url"), p.tag.toString("base64url"), p.ciphertext.toString("base64url")].join(".");
}

/** Splits stored text into its parts, or returns null when it is not a v1 sealed secret. */
export function parseSealed(sealed: string): SealedParts | null {
  const parts = sealed.split(".");
  if (parts.length !== 5 || parts[0] !== SEALED_VERSION) return null;
  const [, keyId, iv, tag, ciphertext] = parts;
  const b64url = /^[A-Za-z0-9_-]*$/;
  if (!keyId || ![iv, tag, ciphertext].every((s) => b64url.test(s))) return null;
  const p = { keyId, iv: Buffer.from(iv, "base64url"), tag: Buffer.from(tag, "base64url"), ciphertext: Buffer.from(ciphertext, "base64url") };
  if (p.iv.length !== 12 || p.tag.length !== 16) return null;
  return p;
}

/** The id of the key a stored secret was sealed with (null when the text is not a sealed secret). */
export function sealedKeyId(sealed: string): string | null {
  return parseSealed(sealed)?.keyId ?? null;
}

/** Additional authenticated data: binds the version and key id to the ciphertext. */
export function sealedHeader(keyId: string): Buffer {
  return Buffer.from(`${SEALED_VERSION}.${keyId}`, "utf8");
}
