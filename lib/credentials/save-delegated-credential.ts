import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { oauthCredentials } from "../../db/schema/oauth";
import { sealSecret } from "../crypto/seal-secret";
import { sealContext } from "../crypto/seal-context";

export type DelegatedSignIn = {
  mailboxId: string;
  profileId: string;
  /** The address that signed in (checked against the mailbox's by the caller). */
  account: string;
  refreshToken: string;
  accessToken: string;
  expiresInSeconds: number;
  scope?: string | null;
  connectedById: string | null;
};

/**
 * Stores a mailbox's OAuth sign-in (the end of the authorization-code flow):
 * tokens sealed, replacing any earlier sign-in of the mailbox and its last error.
 * Server-side only; the caller has checked mailbox:write and the account.
 */
export async function saveDelegatedCredential(db: DbOrTx, s: DelegatedSignIn): Promise<void> {
  const key = `mailbox:${s.mailboxId}`;
  const values = {
    kind: "delegated",
    profileId: s.profileId,
    mailboxId: s.mailboxId,
    account: s.account.toLowerCase(),
    connectedAt: sql`now()`,
    connectedById: s.connectedById,
    refreshTokenSealed: sealSecret(s.refreshToken, sealContext(oauthCredentials.refreshTokenSealed, key)),
    accessTokenSealed: sealSecret(s.accessToken, sealContext(oauthCredentials.accessTokenSealed, key)),
    accessTokenExpiresAt: sql`now() + ${Math.max(0, Math.floor(s.expiresInSeconds))} * interval '1 second'`,
    scope: s.scope ?? null,
    lastRefreshAt: sql`now()`,
    lastErrorCode: null,
    lastErrorAt: null,
  } as const;
  await db
    .insert(oauthCredentials)
    .values({ key, ...values })
    .onConflictDoUpdate({ target: oauthCredentials.key, set: values });
}
