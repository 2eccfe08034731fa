import { eq, isNotNull, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { oauthAuthorizations, oauthCredentials } from "../../db/schema/oauth";
import { profiles } from "../../db/schema/profiles";
import { loadKeyring } from "./load-keyring";
import { openSecret } from "./open-secret";
import type { Keyring } from "./parse-keyring";
import { sealContext } from "./seal-context";
import { sealSecret } from "./seal-secret";
import { isBoundSealed, sealedKeyId } from "./sealed-format";

/** What `resealAllSecrets` did, per sealed column; never any secret. */
export type ResealCounts = {
  profilePasswords: number;
  profileOutgoingPasswords: number;
  mailboxPasswords: number;
  /** Profiles' OAuth app secrets: client secret, certificate, service account key. */
  oauthAppSecrets: number;
  /** OAuth access and refresh tokens, and the PKCE verifiers of pending sign-ins. */
  oauthTokens: number;
  /** Re-sealed values per "table.column" (every sealed column, OAuth ones included). */
  byColumn: Record<string, number>;
  /** Secrets re-sealed under the current key (and bound to their row and column). */
  resealed: number;
  /** Of those, secrets that were sealed before binding (v1) and are now bound. */
  bound: number;
  /** Secrets that were already under the current key and bound, left as they were. */
  alreadyCurrent: number;
  currentKeyId: string;
};

/** Every sealed column, with the key its values are bound to (lib/crypto/sealed-format.ts). */
const SEALED: Array<{ table: PgTable; key: AnyPgColumn; columns: AnyPgColumn[] }> = [
  {
    table: profiles,
    key: profiles.id,
    columns: [profiles.passwordSealed, profiles.outgoingPasswordSealed, profiles.oauthClientSecretSealed, profiles.oauthClientCertificateSealed, profiles.oauthServiceAccountKeySealed],
  },
  { table: mailboxes, key: mailboxes.id, columns: [mailboxes.passwordSealed] },
  { table: oauthCredentials, key: oauthCredentials.key, columns: [oauthCredentials.refreshTokenSealed, oauthCredentials.accessTokenSealed] },
  { table: oauthAuthorizations, key: oauthAuthorizations.stateHash, columns: [oauthAuthorizations.codeVerifierSealed] },
];

/**
 * Key rotation: re-seals every stored secret that is not yet under the current key,
 * or not yet bound to its row and column (sealed before binding), in one
 * transaction, so either all move or none do. Run with the new key in
 * MAILROOM_SECRET_KEY and the old ones in MAILROOM_OLD_SECRET_KEYS; afterwards the
 * old keys can be removed. A secret no key opens (or one moved from another row)
 * aborts the whole run with an error naming its row.
 */
export async function resealAllSecrets(db: Db, keyring: Keyring = loadKeyring()): Promise<ResealCounts> {
  return db.transaction(async (tx) => {
    const counts: ResealCounts = {
      profilePasswords: 0,
      profileOutgoingPasswords: 0,
      mailboxPasswords: 0,
      oauthAppSecrets: 0,
      oauthTokens: 0,
      byColumn: {},
      resealed: 0,
      bound: 0,
      alreadyCurrent: 0,
      currentKeyId: keyring.current.id,
    };
    for (const { table, key, columns } of SEALED) {
      const selection: Record<string, AnyPgColumn> = { key };
      columns.forEach((c, i) => (selection[`c${i}`] = c));
      // Rows are locked so a secret saved during the rotation waits for it
      // instead of being overwritten with the value read here.
      const rows = (await tx
        .select(selection)
        .from(table)
        .where(or(...columns.map((c) => isNotNull(c))) as SQL)
        .for("update")) as Array<Record<string, string | null>>;
      for (const row of rows) {
        const set: Record<string, string> = {};
        columns.forEach((column, i) => {
          const sealed = row[`c${i}`];
          if (sealed === null) return;
          const context = sealContext(column, row.key!);
          const where = `${context.table}.${context.column} of row ${context.row}`;
          const plain = open(sealed, context, where);
          if (sealedKeyId(sealed) === keyring.current.id && isBoundSealed(sealed)) {
            // Opened anyway: a rotation is when an operator learns that a secret is damaged.
            counts.alreadyCurrent++;
            return;
          }
          if (!isBoundSealed(sealed)) counts.bound++;
          set[propertyOf(table, column)] = sealSecret(plain, context, keyring);
          counts.resealed++;
          const name = `${context.table}.${context.column}`;
          counts.byColumn[name] = (counts.byColumn[name] ?? 0) + 1;
        });
        if (Object.keys(set).length > 0) await tx.update(table).set(set).where(eq(key, row.key));
      }
    }
    counts.profilePasswords = counts.byColumn["profiles.password_sealed"] ?? 0;
    counts.profileOutgoingPasswords = counts.byColumn["profiles.outgoing_password_sealed"] ?? 0;
    counts.mailboxPasswords = counts.byColumn["mailboxes.password_sealed"] ?? 0;
    const sum = (names: string[]) => names.reduce((n, name) => n + (counts.byColumn[name] ?? 0), 0);
    counts.oauthAppSecrets = sum(["profiles.oauth_client_secret_sealed", "profiles.oauth_client_certificate_sealed", "profiles.oauth_service_account_key_sealed"]);
    counts.oauthTokens = sum(["oauth_credentials.refresh_token_sealed", "oauth_credentials.access_token_sealed", "oauth_authorizations.code_verifier_sealed"]);
    return counts;
  });

  function open(sealed: string, context: ReturnType<typeof sealContext>, where: string): string {
    try {
      return openSecret(sealed, context, keyring);
    } catch (err) {
      throw new Error(`Key rotation stopped, nothing was changed: ${where} could not be opened. ${(err as Error).message}`);
    }
  }
}

/** The table's property name for a column (drizzle's update takes properties, not column names). */
function propertyOf(table: PgTable, column: AnyPgColumn): string {
  const entry = Object.entries(table).find(([, c]) => c === column);
  if (!entry) throw new Error(`column ${column.name} is not in its table`);
  return entry[0];
}
