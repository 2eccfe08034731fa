import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { bigserial, bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { bytea } from "./bytea";
import { mailboxes } from "./mailboxes";

export type AddressJson = { name: string; address: string };

/** One recipient's report in a delivery status notification. */
export type DsnRecipient = { address: string; action: string; status: string; diagnostic: string | null };

/**
 * What the mail search reads, lower-cased: subject, sender (address and name) and body
 * text, one per line. A query cannot hold a line break (the search box drops them),
 * so a match never straddles two fields. lib/emails/list-emails.ts and the trigram
 * index below use this same expression, or the index would not serve the search.
 */
export function emailSearchText(t: { subject: SQLWrapper; fromAddress: SQLWrapper; fromName: SQLWrapper; textBody: SQLWrapper }): SQL {
  return sql`lower(${t.subject} || chr(10) || ${t.fromAddress} || ' ' || ${t.fromName} || chr(10) || coalesce(${t.textBody}, ''))`;
}

/** A stored incoming message. `(mailbox_id, source_key)` makes each one stored once per mailbox. */
export const emails = pgTable(
  "emails",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    mailboxId: uuid("mailbox_id").notNull().references(() => mailboxes.id, { onDelete: "cascade" }),
    /**
     * imap:<uidvalidity>:<uid> (INBOX), imapfolder:<uidvalidity>:<uid>:<path> (a chosen extra
     * folder), pop3:<uidl> (or router:<hash> for handed-in mail).
     */
    sourceKey: text("source_key").notNull(),
    messageId: text("message_id"),
    /** sha256 of the raw source, hex: matches messages across a UIDVALIDITY change. */
    contentHash: text("content_hash").notNull(),
    fromAddress: text("from_address").notNull().default(""),
    fromName: text("from_name").notNull().default(""),
    toList: jsonb("to_list").$type<AddressJson[]>().notNull().default([]),
    ccList: jsonb("cc_list").$type<AddressJson[]>().notNull().default([]),
    replyTo: jsonb("reply_to").$type<AddressJson[]>().notNull().default([]),
    subject: text("subject").notNull().default(""),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    inReplyTo: text("in_reply_to"),
    references: text("references"),
    textBody: text("text_body"),
    htmlBody: text("html_body"),
    sizeBytes: integer("size_bytes").notNull(),
    hasAttachments: boolean("has_attachments").notNull().default(false),
    /** Why the body could not be parsed (stored raw); null when parsed. */
    parseError: text("parse_error"),
    /** Larger than the maximum size: stored with headers only. */
    oversized: boolean("oversized").notNull().default(false),
    /**
     * Stored, but the profile's after-fetch action (mark read, move, delete) is not yet applied
     * on the server: set in the store transaction, cleared once applied (lib/sync/after-fetch.ts).
     */
    afterFetchPending: boolean("after_fetch_pending").notNull().default(false),
    /**
     * The IMAP folders the message was found in, when the mailbox syncs folders besides
     * INBOX (a Gmail message with several labels is one row listing each); null for an
     * INBOX-only mailbox's mail (INBOX) and for POP3 and handed-in mail.
     */
    folders: text("folders").array(),
    storedAt: timestamp("stored_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * When the mail server received it (IMAP INTERNALDATE, else the newest Received:
     * header, else when it was handed in): stored_at minus this is the new-mail latency.
     */
    arrivedAt: timestamp("arrived_at", { withTimezone: true }),
    /**
     * The conversation it belongs to, within its mailbox (lib/threads/assign-threads.ts); null only
     * for rows stored before threading existed. Outgoing mail written in the app shares the id.
     */
    threadId: uuid("thread_id"),
    /** How the thread was found: in_reply_to, references, message_id, outgoing, subject, or new. */
    threadMethod: text("thread_method"),
    /** The Message-IDs it answers (In-Reply-To then References), to find a parent stored after its reply. */
    refIds: text("ref_ids").array(),
    /** The subject without Re:/Fwd: prefixes, lower-cased: the optional subject match. */
    subjectKey: text("subject_key"),
    /** Automatic mail (lib/mail/detect-automatic.ts): auto_reply, auto_generated, bulk or bounce; null for a person's mail. */
    autoKind: text("auto_kind"),
    /** The header (or marker) that made it automatic, e.g. "Auto-Submitted: auto-replied". */
    autoReason: text("auto_reason"),
    /** A delivery status notification's per-recipient reports (RFC 3464). */
    dsnRecipients: jsonb("dsn_recipients").$type<DsnRecipient[]>(),
    /** Lower-cased addresses the notification says failed permanently (action failed, status 5.x.x). */
    bouncedAddresses: text("bounced_addresses").array(),
    /**
     * The search text's adjacent CJK character pairs as words, ' 請求 求書 書を ' (as mailroom_cjk_bigrams,
     * migration 0015, gives them): a 2-character Japanese word has no trigram of its own, so it is looked
     * up here. Null when the message has no such pair. Filled by whoever writes subject, sender or text
     * (lib/emails/search-pairs.ts searchPairs: store-messages, reparse-email), not generated by Postgres:
     * computing it in SQL on every insert cost the first sync more than the rest of the row.
     */
    searchCjkBigrams: text("search_cjk_bigrams"),
  },
  (t) => [
    uniqueIndex("emails_source_unique").on(t.mailboxId, t.sourceKey),
    index("emails_list_idx").on(t.mailboxId, t.storedAt.desc(), t.id.desc()),
    index("emails_message_id_idx").on(t.mailboxId, t.messageId),
    index("emails_hash_idx").on(t.mailboxId, t.contentHash),
    /** The quarantine screen's list: only the flagged few, in the list's order (a big mailbox is not scanned for them). */
    /** The few rows whose after-fetch action is still to apply. */
    index("emails_after_fetch_pending_idx").on(t.mailboxId).where(sql`${t.afterFetchPending}`),
    index("emails_quarantine_idx")
      .on(t.mailboxId, t.storedAt.desc(), t.id.desc())
      .where(sql`${t.parseError} is not null or ${t.oversized}`),
    index("emails_thread_idx").on(t.mailboxId, t.threadId),
    index("emails_ref_ids_idx").using("gin", t.refIds),
    index("emails_subject_key_idx").on(t.mailboxId, t.subjectKey),
    index("emails_bounced_idx").using("gin", t.bouncedAddresses),
    // Search (lib/emails/list-emails.ts): one trigram index over subject, sender and body text.
    index("emails_search_trgm").using("gin", sql`${emailSearchText(t)} gin_trgm_ops`),
    index("emails_search_cjk_idx").using("gin", sql`${t.searchCjkBigrams} gin_trgm_ops`),
  ],
);

/** The raw source, kept once; attachments are served from it. */
export const emailSources = pgTable("email_sources", {
  emailId: bigint("email_id", { mode: "number" }).primaryKey().references(() => emails.id, { onDelete: "cascade" }),
  raw: bytea("raw").notNull(),
});

export const emailAttachments = pgTable(
  "email_attachments",
  {
    emailId: bigint("email_id", { mode: "number" }).notNull().references(() => emails.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    contentId: text("content_id"),
    partPath: text("part_path").notNull(),
  },
  (t) => [uniqueIndex("email_attachments_pk").on(t.emailId, t.position)],
);

export type Email = typeof emails.$inferSelect;
