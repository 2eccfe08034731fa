import { Counter, Histogram, Registry } from "prom-client";

/**
 * The counters this process keeps about what it did (prom-client). A worker
 * publishes them with its heartbeat (workers.metrics) and /metrics serves each
 * live worker's series with a `worker` label, as if every worker were scraped as
 * its own target; the web process serves its own (ingest) directly. Counters that
 * are a fact of the database (mail sent, mailboxes by status, lag) are read from
 * it at scrape time instead (lib/metrics/render-metrics.ts).
 */
export const processRegistry = new Registry();

/** Seconds one incoming sync took, by protocol and result. */
export const syncDurationSeconds = new Histogram({
  name: "mailroom_sync_duration_seconds",
  help: "Duration of incoming syncs, by protocol and result (synced, partial, retrying, disabled).",
  labelNames: ["protocol", "result"] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  registers: [processRegistry],
});

/** Messages newly stored (a duplicate is not counted), by protocol (imap, pop3, router) and profile id. */
export const messagesStoredTotal = new Counter({
  name: "mailroom_messages_stored_total",
  help: "Incoming messages stored, by protocol (imap, pop3, router) and profile id.",
  labelNames: ["protocol", "profile"] as const,
  registers: [processRegistry],
});

/** OAuth token refreshes, by result (ok, failed) and provider. */
export const tokenRefreshesTotal = new Counter({
  name: "mailroom_token_refreshes_total",
  help: "OAuth access-token refreshes, by result (ok, failed) and provider.",
  labelNames: ["result", "provider"] as const,
  registers: [processRegistry],
});
