import { sql } from "drizzle-orm";
import { boolean, check, integer, pgTable, timestamp } from "drizzle-orm/pg-core";
import { deliveryMethodEnum } from "./enums";

/**
 * The organisation's email settings: a single row with id 1 (SPEC §2).
 * The default server profile is not stored here: it is the profile whose
 * `is_default` is set, so there is one truth for "default for new mailboxes".
 */
export const orgSettings = pgTable(
  "org_settings",
  {
    id: integer("id").primaryKey().default(1),
    incomingDelivery: deliveryMethodEnum("incoming_delivery").notNull().default("server_side_sync"),
    outgoingDelivery: deliveryMethodEnum("outgoing_delivery").notNull().default("server_side_sync"),
    actDelivery: deliveryMethodEnum("act_delivery").notNull().default("none"),
    processOnlyApproved: boolean("process_only_approved").notNull().default(true),
    /** Thread a "Re:" message without matching headers into a recent conversation with the same subject (issue 18). */
    threadBySubject: boolean("thread_by_subject").notNull().default(true),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("org_settings_single_row", sql`${t.id} = 1`)],
);

export type OrgSettings = typeof orgSettings.$inferSelect;
