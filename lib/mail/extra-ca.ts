import fs from "node:fs";
import { env } from "../env";

let cached: { file: string | undefined; pem: Buffer | undefined } | undefined;

/**
 * The extra certificate authorities named by MAILROOM_EXTRA_CA_FILE (read once), to
 * trust a private mail server's CA beside the system's. Undefined when not set.
 */
export function extraCa(): Buffer | undefined {
  const file = env().MAILROOM_EXTRA_CA_FILE;
  if (!cached || cached.file !== file) cached = { file, pem: file ? fs.readFileSync(file) : undefined };
  return cached.pem;
}
