import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { deliveryMethodEnum, mailboxKindEnum, testStatusEnum } from "./enums";
import { profiles } from "./profiles";
import { users } from "./users";

/** A user's or a queue's mailbox (SPEC §3), with the worker's sync cursor and lease. */
export const mailboxes = pgTable(
  "mailboxes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: mailboxKindEnum("kind").notNull(),
    name: text("name").notNull(),
    emailAddress: text("email_address").notNull(),
    /** The user this mailbox belongs to (kind = user). */
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    /** Who receives its alerts and may use it: the user, or the queue's owner. */
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "set null" }),
    profileId: uuid("profile_id").references(() => profiles.id, { onDelete: "restrict" }),
    incomingDelivery: deliveryMethodEnum("incoming_delivery").notNull().default("none"),
    outgoingDelivery: deliveryMethodEnum("outgoing_delivery").notNull().default("none"),
    actDelivery: deliveryMethodEnum("act_delivery").notNull().default("none"),
    userName: text("user_name"),
    passwordSealed: text("password_sealed"),
    approvedAt: timestamp("approved_at", { withTimezone: true }),
    approvedById: uuid("approved_by_id").references(() => users.id, { onDelete: "set null" }),
    incomingStatus: testStatusEnum("incoming_status").notNull().default("not_run"),
    outgoingStatus: testStatusEnum("outgoing_status").notNull().default("not_run"),
    actStatus: testStatusEnum("act_status").notNull().default("not_run"),
    incomingEnabled: boolean("incoming_enabled").notNull().default(false),
    outgoingEnabled: boolean("outgoing_enabled").notNull().default(false),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
    lastSyncAt: timestamp("last_sync_at", { withTimezone: true }),
    nextSyncAt: timestamp("next_sync_at", { withTimezone: true }),
    /** The last "Sync now" that made the mailbox due; with lastSyncAt it limits presses to one per polling interval. */
    syncNowAt: timestamp("sync_now_at", { withTimezone: true }),
    lastError: text("last_error"),
    lastErrorCode: text("last_error_code"),
    /** The last error for people: a catalogue key and its parameters (last_error keeps an English copy for logs and older rows). */
    lastErrorKey: text("last_error_key"),
    lastErrorParams: jsonb("last_error_params").$type<Record<string, string | number>>(),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    firstFailureAt: timestamp("first_failure_at", { withTimezone: true }),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    imapUidValidity: bigint("imap_uid_validity", { mode: "number" }),
    imapLastUid: bigint("imap_last_uid", { mode: "number" }),
    /** The process-from date the cursor was built for; an earlier profile date triggers a backfill. */
    syncedFrom: timestamp("synced_from", { withTimezone: true }),
    syncProgressDone: integer("sync_progress_done").notNull().default(0),
    syncProgressTotal: integer("sync_progress_total").notNull().default(0),
    /**
     * IMAP folders synced besides INBOX (paths as the server lists them, decoded), chosen on the mailbox
     * page; each has its own cursor in mailbox_folders. Empty: INBOX only, and the sync reads nothing more.
     */
    imapFolders: text("imap_folders").array().notNull().default(sql`'{}'::text[]`),
    /** Since when a worker holds the mailbox's IMAP session open for push (IDLE); null while it polls. */
    pushConnectedAt: timestamp("push_connected_at", { withTimezone: true }),
    /** Why push is not connected (a code: no_slot, reconnecting, failed, …), or idle / noop while connected. */
    pushState: text("push_state"),
    /** A push session is not tried again before this (after a failure or no free connection). */
    pushRetryAt: timestamp("push_retry_at", { withTimezone: true }),
    /** sha256 (hex) of the email-router ingest token; the token itself is shown once and never stored. */
    ingestTokenHash: text("ingest_token_hash"),
    ingestTokenCreatedAt: timestamp("ingest_token_created_at", { withTimezone: true }),
    /** The last sign of life when the "has not synced since" warning went out; cleared (with an information alert) by the next success. */
    silentSince: timestamp("silent_since", { withTimezone: true }),
    /** Set when the slow-mail warning went out; cleared when new mail is fast again. */
    slowSince: timestamp("slow_since", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("mailboxes_user_unique").on(t.userId).where(sql`${t.kind} = 'user'`),
    index("mailboxes_owner_idx").on(t.ownerId),
    index("mailboxes_profile_idx").on(t.profileId),
    index("mailboxes_due_idx").on(t.nextSyncAt).where(sql`${t.incomingEnabled}`),
    index("mailboxes_name_idx").on(t.name),
    // The mailbox list's default order (lower(name), id): a page is read in index order instead of sorting every mailbox.
    index("mailboxes_lower_name_idx").on(sql`lower(${t.name})`, t.id),
  ],
);

/**
 * The sync cursor of one extra IMAP folder of a mailbox (mailboxes.imap_folders), as
 * mailboxes.imap_* is INBOX's: UIDVALIDITY, last UID and the process-from date it was
 * built for. Written under the mailbox's lease, in the store transaction of each batch.
 * `error_code` says why the folder was skipped at the last sync (folder_missing), or null.
 */
export const mailboxFolders = pgTable(
  "mailbox_folders",
  {
    mailboxId: uuid("mailbox_id")
      .notNull()
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    uidValidity: bigint("uid_validity", { mode: "number" }),
    lastUid: bigint("last_uid", { mode: "number" }).notNull().default(0),
    syncedFrom: timestamp("synced_from", { withTimezone: true }),
    errorCode: text("error_code"),
    errorDetail: text("error_detail"),
    lastSyncAt: timestamp("last_sync_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.mailboxId, t.path] })],
);

/**
 * Connection slots: at most `max_connections` rows per key (profile:<id> or
 * mailbox:<id>) are held at once. A slot is a lease; an expired one is free.
 */
export const connectionSlots = pgTable(
  "connection_slots",
  {
    key: text("key").notNull(),
    slot: integer("slot").notNull(),
    owner: text("owner").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.slot] })],
);

/**
 * The circuit breaker of an incoming server (lib/sync/host-circuit.ts), shared by every
 * worker. `host` is the profile's incoming host and port (lower(host):port). Timeouts in
 * a row count up; at the threshold the circuit opens until `open_until`, then one probe
 * mailbox (`probe_owner` "<worker>/<mailbox>", until `probe_until`) is claimed while the
 * host's other mailboxes wait. Any answer from the server deletes the row.
 */
export const hostCircuits = pgTable("host_circuits", {
  host: text("host").primaryKey(),
  /** Timeouts in a row from this host (any mailbox, any worker). */
  timeouts: integer("timeouts").notNull().default(0),
  /** How often the circuit opened in a row (a failed probe opens it again, for longer); 0 = closed. */
  trips: integer("trips").notNull().default(0),
  openedAt: timestamp("opened_at", { withTimezone: true }),
  openUntil: timestamp("open_until", { withTimezone: true }),
  probeOwner: text("probe_owner"),
  probeUntil: timestamp("probe_until", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Mailbox = typeof mailboxes.$inferSelect;
export type MailboxFolder = typeof mailboxFolders.$inferSelect;
export type NewMailbox = typeof mailboxes.$inferInsert;
