import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { jobStatusEnum } from "./enums";
import { mailboxes } from "./mailboxes";
import { profiles } from "./profiles";
import { users } from "./users";

/** A long admin action run by the worker (e.g. test & enable all mailboxes of a profile). */
export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    profileId: uuid("profile_id").references(() => profiles.id, { onDelete: "cascade" }),
    createdById: uuid("created_by_id").references(() => users.id, { onDelete: "set null" }),
    status: jobStatusEnum("status").notNull().default("queued"),
    total: integer("total").notNull().default(0),
    done: integer("done").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("jobs_status_idx").on(t.status, t.createdAt)],
);

/** One mailbox of a job; `finishedAt` set means it is never redone after a restart. */
export const jobItems = pgTable(
  "job_items",
  {
    jobId: uuid("job_id").notNull().references(() => jobs.id, { onDelete: "cascade" }),
    mailboxId: uuid("mailbox_id").notNull().references(() => mailboxes.id, { onDelete: "cascade" }),
    outcome: text("outcome"),
    message: text("message"),
    /** The outcome for people: a catalogue key and its parameters (message keeps an English copy). */
    messageKey: text("message_key"),
    messageParams: jsonb("message_params").$type<Record<string, string | number>>(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.mailboxId] })],
);

export type Job = typeof jobs.$inferSelect;
