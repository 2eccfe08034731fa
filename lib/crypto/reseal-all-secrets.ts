import { eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { oauthAuthorizations, oauthCredentials } from "../../db/schema/oauth";
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
  /** Profiles' OAuth app secrets: client secret, certificate, service account key. */
  oauthAppSecrets: number;
  /** OAuth access and refresh tokens, and the PKCE verifiers of pending sign-ins. */
  oauthTokens: number;
  /** Secrets re-sealed under the current key. */
  resealed: number;
  /** Secrets that were already under the current key and were left as they were. */
  alreadyCurrent: number;
  currentKeyId: string;
};

/**
 * Key rotation: re-seals every stored secret (profiles.password_sealed,
 * profiles.outgoing_password_sealed, mailboxes.password_sealed, the profiles' OAuth
 * app secrets, OAuth tokens and pending sign-ins' PKCE verifiers) that is not yet
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
      oauthAppSecrets: 0,
      oauthTokens: 0,
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

    // OAuth: the profiles' app secrets, every stored token, pending sign-ins' PKCE verifiers.
    const apps = await tx
      .select({ id: profiles.id, secret: profiles.oauthClientSecretSealed, certificate: profiles.oauthClientCertificateSealed, key: profiles.oauthServiceAccountKeySealed })
      .from(profiles)
      .where(sql`${profiles.oauthClientSecretSealed} is not null or ${profiles.oauthClientCertificateSealed} is not null or ${profiles.oauthServiceAccountKeySealed} is not null`)
      .for("update");
    for (const row of apps) {
      const secret = reseal(row.secret, `profiles.oauth_client_secret_sealed of profile ${row.id}`);
      const certificate = reseal(row.certificate, `profiles.oauth_client_certificate_sealed of profile ${row.id}`);
      const key = reseal(row.key, `profiles.oauth_service_account_key_sealed of profile ${row.id}`);
      const changed = [secret !== row.secret, certificate !== row.certificate, key !== row.key].filter(Boolean).length;
      if (changed > 0) {
        await tx.update(profiles).set({ oauthClientSecretSealed: secret, oauthClientCertificateSealed: certificate, oauthServiceAccountKeySealed: key }).where(eq(profiles.id, row.id));
        counts.oauthAppSecrets += changed;
      }
    }
    const tokens = await tx
      .select({ id: oauthCredentials.id, refresh: oauthCredentials.refreshTokenSealed, access: oauthCredentials.accessTokenSealed })
      .from(oauthCredentials)
      .where(sql`${oauthCredentials.refreshTokenSealed} is not null or ${oauthCredentials.accessTokenSealed} is not null`)
      .for("update");
    for (const row of tokens) {
      const refresh = reseal(row.refresh, `oauth_credentials.refresh_token_sealed of credential ${row.id}`);
      const access = reseal(row.access, `oauth_credentials.access_token_sealed of credential ${row.id}`);
      const changed = [refresh !== row.refresh, access !== row.access].filter(Boolean).length;
      if (changed > 0) {
        await tx.update(oauthCredentials).set({ refreshTokenSealed: refresh, accessTokenSealed: access }).where(eq(oauthCredentials.id, row.id));
        counts.oauthTokens += changed;
      }
    }
    const pending = await tx.select({ id: oauthAuthorizations.stateHash, verifier: oauthAuthorizations.codeVerifierSealed }).from(oauthAuthorizations).for("update");
    for (const row of pending) {
      const verifier = reseal(row.verifier, `oauth_authorizations.code_verifier_sealed of a pending sign-in`);
      if (verifier !== row.verifier) {
        await tx.update(oauthAuthorizations).set({ codeVerifierSealed: verifier! }).where(eq(oauthAuthorizations.stateHash, row.id));
        counts.oauthTokens++;
      }
    }
    return counts;
  });
}
