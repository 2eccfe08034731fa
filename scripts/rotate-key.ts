/**
 * Key rotation: `npm run rotate-key` re-seals every stored secret under
 * MAILROOM_SECRET_KEY, bound to its row and column. Steps for an operator:
 *   1. `npm run rotate-key -- --generate` prints a new key;
 *   2. set MAILROOM_SECRET_KEY to it and move the previous key into MAILROOM_OLD_SECRET_KEYS;
 *   3. `npm run rotate-key` (prints counts, never a secret);
 *   4. remove the old key from MAILROOM_OLD_SECRET_KEYS.
 */
import { createDb } from "../db/client";
import { databaseUrl, env } from "../lib/env";
import { generateSecretKey } from "../lib/crypto/generate-secret-key";
import { loadKeyring } from "../lib/crypto/load-keyring";
import { resealAllSecrets } from "../lib/crypto/reseal-all-secrets";

async function main(): Promise<void> {
  if (process.argv.includes("--generate")) {
    console.log(generateSecretKey());
    return;
  }
  const e = env();
  const keyring = loadKeyring(e);
  const { db, close } = createDb(databaseUrl(e), { max: 1 });
  try {
    const c = await resealAllSecrets(db, keyring);
    console.log(`Re-sealed ${c.resealed} secret(s) under key "${c.currentKeyId}":`);
    console.log(`  profile passwords:          ${c.profilePasswords}`);
    console.log(`  profile outgoing passwords: ${c.profileOutgoingPasswords}`);
    console.log(`  mailbox passwords:          ${c.mailboxPasswords}`);
    console.log(`  OAuth app secrets:          ${c.oauthAppSecrets}`);
    console.log(`  OAuth tokens:               ${c.oauthTokens}`);
    if (c.bound > 0) console.log(`${c.bound} of them were sealed before secrets were bound to their row and column; they are bound now.`);
    console.log(`${c.alreadyCurrent} secret(s) were already under the current key.`);
    if (keyring.old.length) {
      console.log(`No stored secret needs ${keyring.old.map((k) => `"${k.id}"`).join(", ")} any more; you may remove it from MAILROOM_OLD_SECRET_KEYS.`);
    }
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
