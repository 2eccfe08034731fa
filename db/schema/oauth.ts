import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { mailboxes } from "./mailboxes";
import { profiles } from "./profiles";
import { users } from "./users";

/**
 * An OAuth credential: a mailbox's delegated sign-in, or an app-only token of a profile.
 * `key` names it: `mailbox:<id>` (delegated), `app:<profileId>` (Microsoft client
 * credentials, one token per tenant), `app:<profileId>:<address lower-case>` (Google JWT
 * bearer, one token per impersonated address). Tokens are sealed (lib/crypto). The row
 * is also the refresh lock (SELECT … FOR UPDATE), so one refresh runs at a time.
 */
export const oauthCredentials = pgTable(
  "oauth_credentials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    key: text("key").notNull().unique(),
    /** `delegated` | `app`. */
    kind: text("kind").notNull(),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    mailboxId: uuid("mailbox_id").references(() => mailboxes.id, { onDelete: "cascade" }),
    /** The signed-in (delegated) or impersonated (app-only) address. */
    account: text("account"),
    connectedAt: timestamp("connected_at", { withTimezone: true }).notNull().defaultNow(),
    connectedById: uuid("connected_by_id").references(() => users.id, { onDelete: "set null" }),
    refreshTokenSealed: text("refresh_token_sealed"),
    accessTokenSealed: text("access_token_sealed"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    lastRefreshAt: timestamp("last_refresh_at", { withTimezone: true }),
    lastErrorCode: text("last_error_code"),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true }),
  },
  (t) => [index("oauth_credentials_mailbox_idx").on(t.mailboxId), index("oauth_credentials_profile_idx").on(t.profileId)],
);

/** A pending sign-in (authorization-code flow with PKCE): single use, bound to the user and the mailbox. */
export const oauthAuthorizations = pgTable(
  "oauth_authorizations",
  {
    /** SHA-256 of the `state` sent to the provider (the state itself is never stored). */
    stateHash: text("state_hash").primaryKey(),
    mailboxId: uuid("mailbox_id")
      .notNull()
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeVerifierSealed: text("code_verifier_sealed").notNull(),
    nonce: text("nonce"),
    redirectUri: text("redirect_uri").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("oauth_authorizations_expires_idx").on(t.expiresAt)],
);

export type OAuthCredential = typeof oauthCredentials.$inferSelect;
export type NewOAuthCredential = typeof oauthCredentials.$inferInsert;
export type OAuthAuthorization = typeof oauthAuthorizations.$inferSelect;
