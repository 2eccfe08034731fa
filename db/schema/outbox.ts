import { bigserial, bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { bytea } from "./bytea";
import type { AddressJson } from "./emails";
import { outboxStatusEnum } from "./enums";
import { mailboxes } from "./mailboxes";
import { users } from "./users";

/** Mail written in the app, queued for the worker to send over SMTP. */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    mailboxId: uuid("mailbox_id").notNull().references(() => mailboxes.id, { onDelete: "cascade" }),
    createdById: uuid("created_by_id").references(() => users.id, { onDelete: "set null" }),
    /** Fixed when queued, so a resend after a crash carries the same Message-ID. */
    messageId: text("message_id").notNull().unique(),
    toList: jsonb("to_list").$type<AddressJson[]>().notNull(),
    ccList: jsonb("cc_list").$type<AddressJson[]>().notNull().default([]),
    bccList: jsonb("bcc_list").$type<AddressJson[]>().notNull().default([]),
    subject: text("subject").notNull().default(""),
    textBody: text("text_body").notNull().default(""),
    htmlBody: text("html_body"),
    inReplyTo: text("in_reply_to"),
    references: text("references"),
    status: outboxStatusEnum("status").notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    serverResponse: text("server_response"),
    lastError: text("last_error"),
    /** The reason for people: a catalogue key and its parameters (last_error keeps an English copy). */
    lastErrorKey: text("last_error_key"),
    lastErrorParams: jsonb("last_error_params").$type<Record<string, string | number>>(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** The conversation of the mailbox it belongs to (a reply joins its parent's). */
    threadId: uuid("thread_id"),
    /**
     * The copy in the IMAP Sent folder (profile "append sent mail"): null = not wanted,
     * pending (the exact bytes sent wait in sent_copy_raw), appended, or failed.
     */
    sentCopy: text("sent_copy"),
    sentCopyRaw: bytea("sent_copy_raw"),
    sentCopyAttempts: integer("sent_copy_attempts").notNull().default(0),
    sentCopyNextAt: timestamp("sent_copy_next_at", { withTimezone: true }),
    sentCopyFolder: text("sent_copy_folder"),
    sentCopyAt: timestamp("sent_copy_at", { withTimezone: true }),
    sentCopyErrorKey: text("sent_copy_error_key"),
    sentCopyErrorParams: jsonb("sent_copy_error_params").$type<Record<string, string | number>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("outbox_mailbox_idx").on(t.mailboxId, t.createdAt),
    index("outbox_sent_copy_idx").on(t.sentCopy, t.sentCopyNextAt),
    index("outbox_thread_idx").on(t.mailboxId, t.threadId),
  ],
);

export const outboxAttachments = pgTable(
  "outbox_attachments",
  {
    outboxId: bigint("outbox_id", { mode: "number" }).notNull().references(() => outbox.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    content: bytea("content").notNull(),
  },
  (t) => [index("outbox_attachments_idx").on(t.outboxId, t.position)],
);

export type OutboxEmail = typeof outbox.$inferSelect;
