import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { severityEnum } from "./enums";
import { mailboxes } from "./mailboxes";
import { profiles } from "./profiles";
import { users } from "./users";

/** An alert to one recipient (SPEC §5). The same unread alert repeated bumps `count`. */
export const alerts = pgTable(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    severity: severityEnum("severity").notNull(),
    mailboxId: uuid("mailbox_id").references(() => mailboxes.id, { onDelete: "cascade" }),
    profileId: uuid("profile_id").references(() => profiles.id, { onDelete: "cascade" }),
    recipientId: uuid("recipient_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** What makes two alerts "the same": e.g. "incoming:auth_failed:<mailbox>". */
    dedupKey: text("dedup_key").notNull(),
    /** English copies (logs, exports, rows from before keys); people see the keys below rendered in their language. */
    title: text("title").notNull(),
    message: text("message").notNull(),
    titleKey: text("title_key"),
    titleParams: jsonb("title_params").$type<Record<string, string | number>>(),
    messageKey: text("message_key"),
    messageParams: jsonb("message_params").$type<Record<string, string | number>>(),
    detail: text("detail").notNull().default(""),
    count: integer("count").notNull().default(1),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp("read_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alerts_unread_dedup").on(t.recipientId, t.dedupKey).where(sql`${t.readAt} is null`),
    index("alerts_recipient_idx").on(t.recipientId, t.lastSeenAt),
    index("alerts_mailbox_idx").on(t.mailboxId, t.lastSeenAt),
  ],
);

export type Alert = typeof alerts.$inferSelect;
