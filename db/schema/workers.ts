import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { mailboxes } from "./mailboxes";
import { profiles } from "./profiles";

/**
 * One row per worker process, written by its heartbeat step about every 10 s. A
 * worker unseen for a minute is gone (crashed or stopped); rows unseen for a day
 * are pruned. `metrics` holds the process's own counters (prom-client JSON), so
 * /metrics can serve every worker's without scraping each process.
 */
export const workers = pgTable("workers", {
  id: text("id").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  version: text("version").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  /** Set by a graceful stop: gone at once instead of after a minute. */
  stoppedAt: timestamp("stopped_at", { withTimezone: true }),
  /** Mailboxes and outgoing emails it holds a live lease on. */
  lanesBusy: integer("lanes_busy").notNull().default(0),
  metrics: jsonb("metrics").$type<unknown[]>().notNull().default([]),
});

/**
 * One row per incoming sync attempt (or handed-in delivery, protocol "router"),
 * kept eight days: what the dashboard draws over time (stored per hour, errors by
 * code, polling lag and duration per mailbox).
 */
export const syncRuns = pgTable(
  "sync_runs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    mailboxId: uuid("mailbox_id").notNull().references(() => mailboxes.id, { onDelete: "cascade" }),
    profileId: uuid("profile_id").references(() => profiles.id, { onDelete: "set null" }),
    /** imap, pop3 or router. */
    protocol: text("protocol").notNull(),
    workerId: text("worker_id").notNull(),
    /** synced, partial, retrying, disabled (see SyncOutcome). */
    result: text("result").notNull(),
    errorCode: text("error_code"),
    stored: integer("stored").notNull().default(0),
    /** How long after it was due the sync started (null: first sync, never scheduled). */
    lagMs: integer("lag_ms"),
    durationMs: integer("duration_ms").notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sync_runs_finished_idx").on(t.finishedAt), index("sync_runs_mailbox_idx").on(t.mailboxId, t.finishedAt)],
);

export type WorkerRow = typeof workers.$inferSelect;

/**
 * One row per web process that has counters of its own to publish (mail handed
 * in through the ingest endpoint), written after each hand-in and about every
 * 10 s after that, so /metrics counts them whichever web process is scraped.
 * Rows unseen for a day are pruned with the workers'.
 */
export const webProcesses = pgTable("web_processes", {
  /** `web:<host>:<pid>`, the `worker` label of its series. */
  id: text("id").primaryKey(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  metrics: jsonb("metrics").$type<unknown[]>().notNull().default([]),
});
