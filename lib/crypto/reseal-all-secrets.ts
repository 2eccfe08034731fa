import { eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { loadKeyring } from "./load-keyring";
import { openSecret } from "./open-secret";
import type { Keyring } from "./parse-keyring";
import { sealSecret } from "./seal-secret";
import { sealedKeyId } from "./sealed-format";

/** What `resealAllSecrets` did, per sealed column; never any secret. */
export type ResealCounts = {
  profilePasswords: number;
  profileOutgoingPasswords: number;
  mailboxPasswords: number;
  /** Secrets re-sealed under the current key. */
  resealed: number;
  /** Secrets that were already under the current key and were left as they were. */
  alreadyCurrent: number;
  currentKeyId: string;
};

/**
 * Key rotation: re-seals every stored secret (profiles.password_sealed,
 * profiles.outgoing_password_sealed, mailboxes.password_sealed) that is not yet
 * under the current key, in one transaction, so either all move or none do.
 * Run with the new key in MAILROOM_SECRET_KEY and the old ones in
 * MAILROOM_OLD_SECRET_KEYS; afterwards the old keys can be removed.
 * A secret no key opens aborts the whole run with an error naming its row.
 */
export async function resealAllSecrets(db: Db, keyring: Keyring = loadKeyring()): Promise<ResealCounts> {
  return db.transaction(async (tx) => {
    // Rows are locked so a password saved during the rotation waits for it
    // instead of being overwritten with the value read here.
    const profileRows = await tx
      .select({ id: profiles.id, password: profiles.passwordSealed, outgoing: profiles.outgoingPasswordSealed })
      .from(profiles)
      .where(sql`${profiles.passwordSealed} is not null or ${profiles.outgoingPasswordSealed} is not null`)
      .for("update");
    const mailboxRows = await tx
      .select({ id: mailboxes.id, password: mailboxes.passwordSealed })
      .from(mailboxes)
      .where(isNotNull(mailboxes.passwordSealed))
      .for("update");

    const counts: ResealCounts = {
      profilePasswords: 0,
      profileOutgoingPasswords: 0,
      mailboxPasswords: 0,
      resealed: 0,
      alreadyCurrent: 0,
      currentKeyId: keyring.current.id,
    };
    const reseal = (sealed: string | null, where: string): string | null => {
      if (sealed === null) return null;
      if (sealedKeyId(sealed) === keyring.current.id) {
        // Open it anyway: a rotation is when an operator learns that a secret is damaged.
        open(sealed, where);
        counts.alreadyCurrent++;
        return sealed;
      }
      counts.resealed++;
      return sealSecret(open(sealed, where), keyring);
    };
    const open = (sealed: string, where: string): string => {
      try {
        return openSecret(sealed, keyring);
      } catch (err) {
        throw new Error(`Key rotation stopped, nothing was changed: ${where} could not be opened. ${(err as Error).message}`);
      }
    };

    for (const row of profileRows) {
      const password = reseal(row.password, `profiles.password_sealed of profile ${row.id}`);
      const outgoing = reseal(row.outgoing, `profiles.outgoing_password_sealed of profile ${row.id}`);
      if (password !== row.password || outgoing !== row.outgoing) {
        await tx.update(profiles).set({ passwordSealed: password, outgoingPasswordSealed: outgoing }).where(eq(profiles.id, row.id));
      }
      if (password !== row.password) counts.profilePasswords++;
      if (outgoing !== row.outgoing) counts.profileOutgoingPasswords++;
    }
    for (const row of mailboxRows) {
      const password = reseal(row.password, `mailboxes.password_sealed of mailbox ${row.id}`);
      if (password !== row.password) {
        await tx.update(mailboxes).set({ passwordSealed: password }).where(eq(mailboxes.id, row.id));
        counts.mailboxPasswords++;
      }
    }
    return counts;
  });
}
