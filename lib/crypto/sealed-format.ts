/**
 * The text form of a sealed secret: "<version>.<keyId>.<iv>.<tag>.<ciphertext>", each
 * binary part base64url. The key id travels with the secret so that after a key
 * rotation old secrets can still be opened (and found, to be re-sealed).
 *
 * Versions differ only in the additional authenticated data (AAD):
 * - v2 (written now): version, key id, and the table, column and row the secret
 *   belongs to — a sealed value copied to another row or column fails to open, so
 *   someone who can write the database but not read the key cannot make the app
 *   use (or send to a server of their choosing) another row's password.
 * - v1 (older rows): version and key id only. Still opened; `npm run rotate-key`
 *   re-seals them as v2.
 */
export type SealedVersion = "v1" | "v2";
export type SealedParts = { version: SealedVersion; keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer };

/** Where a sealed value lives: its table, its column, and its row (the primary or unique key). */
export type SealContext = { table: string; column: string; row: string };

export const SEALED_VERSION: SealedVersion = "v2";

/** Joins the parts of a sealed secret into its stored text. */
export function formatSealed(p: SealedParts): string {
  return [p.version, p.keyId, p.iv.toString("base64url"), p.tag.toString("base64url"), p.ciphertext.toString("base64url")].join(".");
}

/** Splits stored text into its parts, or returns null when it is not a sealed secret. */
export function parseSealed(sealed: string): SealedParts | null {
  const parts = sealed.split(".");
  if (parts.length !== 5 || (parts[0] !== "v1" && parts[0] !== "v2")) return null;
  const [version, keyId, iv, tag, ciphertext] = parts;
  const b64url = /^[A-Za-z0-9_-]*$/;
  if (!keyId || ![iv, tag, ciphertext].every((s) => b64url.test(s))) return null;
  const p = { version: version as SealedVersion, keyId, iv: Buffer.from(iv, "base64url"), tag: Buffer.from(tag, "base64url"), ciphertext: Buffer.from(ciphertext, "base64url") };
  if (p.iv.length !== 12 || p.tag.length !== 16) return null;
  return p;
}

/** The id of the key a stored secret was sealed with (null when the text is not a sealed secret). */
export function sealedKeyId(sealed: string): string | null {
  return parseSealed(sealed)?.keyId ?? null;
}

/** Whether a stored secret is bound to its row and column (v2); false for v1 and for non-secrets. */
export function isBoundSealed(sealed: string): boolean {
  return parseSealed(sealed)?.version === "v2";
}

/** Additional authenticated data: the version and key id, and for v2 where the secret lives. */
export function sealedHeader(version: SealedVersion, keyId: string, context: SealContext | null): Buffer {
  if (version === "v1") return Buffer.from(`v1.${keyId}`, "utf8");
  if (!context) throw new Error("A v2 sealed secret needs its table, column and row");
  // JSON, so no choice of separators can make two different places read the same.
  return Buffer.from(JSON.stringify(["v2", keyId, context.table, context.column, context.row]), "utf8");
}
