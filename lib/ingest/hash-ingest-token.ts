import { createHash } from "node:crypto";

/**
 * What is stored of an ingest token: its sha256, hex. The token carries 256 random
 * bits, so a plain hash is enough (nothing to guess from it, no need to open it
 * again: it is shown once and replaced when lost).
 */
export function hashIngestToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
