import { sql } from "drizzle-orm";
import { boolean, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { afterFetchActionEnum, authMethodEnum, credentialModeEnum, incomingProtocolEnum, serverTypeEnum } from "./enums";
import { users } from "./users";

/** An email server profile: how to reach one mail system (SPEC §1). Secrets are sealed (lib/crypto). */
export const profiles = pgTable(
  "profiles",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "set null" }),
    serverType: serverTypeEnum("server_type").notNull(),
    incomingProtocol: incomingProtocolEnum("incoming_protocol").notNull().default("imap"),
    incomingHost: text("incoming_host").notNull(),
    outgoingHost: text("outgoing_host").notNull(),
    credentialMode: credentialModeEnum("credential_mode").notNull().default("mailbox"),
    userName: text("user_name"),
    passwordSealed: text("password_sealed"),
    useSameForOutgoing: boolean("use_same_for_outgoing").notNull().default(true),
    outgoingUserName: text("outgoing_user_name"),
    outgoingPasswordSealed: text("outgoing_password_sealed"),
    incomingPort: integer("incoming_port").notNull(),
    outgoingPort: integer("outgoing_port").notNull(),
    incomingTls: boolean("incoming_tls").notNull().default(true),
    outgoingTls: boolean("outgoing_tls").notNull().default(true),
    incomingAuthMethod: authMethodEnum("incoming_auth_method").notNull().default("auto"),
    outgoingAuthMethod: authMethodEnum("outgoing_auth_method").notNull().default("auto"),
    processEmailFrom: timestamp("process_email_from", { withTimezone: true }).notNull().defaultNow(),
    minPollingIntervalMinutes: integer("min_polling_interval_minutes").notNull().default(5),
    maxConnections: integer("max_connections").notNull().default(10),
    /** New-mail latency (arrival → stored) whose hourly p95 above it raises a slow-mail warning; null: no warning. */
    slowMailMinutes: integer("slow_mail_minutes").default(30),
    isDefault: boolean("is_default").notNull().default(false),
    appendSentToImap: boolean("append_sent_to_imap").notNull().default(false),
    /**
     * "Allow unencrypted connections (not recommended)": with "Use SSL/TLS" off, sign in
     * without STARTTLS when the server does not offer it. Off: STARTTLS is required. Admins only.
     */
    allowUnencrypted: boolean("allow_unencrypted").notNull().default(false),
    /**
     * "Push new mail (IMAP IDLE) when the server offers it": a worker keeps each mailbox's
     * IMAP session open and stores new mail as the server announces it, instead of polling.
     */
    pushEnabled: boolean("push_enabled").notNull().default(true),
    /**
     * What sync does on the server with a message once it is stored (lib/sync/after-fetch.ts):
     * keep (untouched, read-only), mark_read (\Seen), move (to after_fetch_folder), delete.
     * POP3 offers keep and delete only. Admins only.
     */
    afterFetchAction: afterFetchActionEnum("after_fetch_action").notNull().default("keep"),
    /** The existing IMAP folder that "move" moves to (never created by Mailroom). */
    afterFetchFolder: text("after_fetch_folder"),
    /** OAuth app of this profile: `google` | `microsoft` | `generic`; null = no OAuth. */
    oauthProvider: text("oauth_provider"),
    oauthClientId: text("oauth_client_id"),
    oauthClientSecretSealed: text("oauth_client_secret_sealed"),
    /** Microsoft app-only: sealed JSON `{privateKeyPem, certificatePem}` (private_key_jwt client auth). */
    oauthClientCertificateSealed: text("oauth_client_certificate_sealed"),
    /** Google app-only: the service account's JSON key, sealed (JWT bearer, RFC 7523). */
    oauthServiceAccountKeySealed: text("oauth_service_account_key_sealed"),
    /** Microsoft tenant (id or domain). */
    oauthTenant: text("oauth_tenant"),
    /** `global` | `usgov` | `china`: which national cloud fills the endpoints. */
    oauthCloud: text("oauth_cloud"),
    oauthAuthorizationUrl: text("oauth_authorization_url"),
    oauthTokenUrl: text("oauth_token_url"),
    oauthRevocationUrl: text("oauth_revocation_url"),
    oauthUserinfoUrl: text("oauth_userinfo_url"),
    /** Space-separated scopes requested. */
    oauthScopes: text("oauth_scopes"),
    /** When the client secret expires (alerts 30, 7 and 1 days before). */
    oauthSecretExpiresAt: timestamp("oauth_secret_expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("profiles_name_unique").on(sql`lower(${t.name})`),
    // At most one default profile for new mailboxes.
    uniqueIndex("profiles_one_default").on(t.isDefault).where(sql`${t.isDefault}`),
  ],
);

export type Profile = typeof profiles.$inferSelect;
export type NewProfile = typeof profiles.$inferInsert;
