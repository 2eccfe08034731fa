import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { generateSecretKey } from "../lib/crypto/generate-secret-key";

/**
 * Reads a secret kept in the local data folder, creating it on first use. Used
 * only when the deployment gives none in its environment (the embedded default).
 */
export function localSecret(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const value = make();
  fs.writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

/** A random secret for signing sessions. */
export const makeAuthSecret = () => crypto.randomBytes(32).toString("base64url");

/** A sealing key in MAILROOM_SECRET_KEY's format (lib/crypto owns the format). */
export const makeSealingKey = () => generateSecretKey();
