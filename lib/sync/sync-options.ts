import { env } from "../env";
import type { KeptSessions } from "./kept-sessions";

/** The knobs of a sync. Production uses the defaults; tests shorten the times through these, never by sleeping. */
export type SyncOptions = {
  /** Who holds the leases (the worker's id). */
  workerId: string;
  /** How long a claim on a mailbox (and its connection slot) lasts without renewal. */
  leaseMs: number;
  /** The most one sync may run before it stops at the next batch boundary; shorter than the lease. */
  budgetMs: number;
  /** A batch (one transaction) holds at most this many messages… */
  batchMaxMessages: number;
  /** …and at most this many bytes of raw source. */
  batchMaxBytes: number;
  /** Larger messages are stored with headers only (MAILROOM_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
  /** Every socket phase (connect, greeting, each reply) waits at most this long (MAILROOM_MAIL_TIMEOUT_MS). */
  mailTimeoutMs: number;
  /**
   * Connecting (TCP, TLS) and the server's greeting wait at most this long
   * (MAILROOM_GREETING_TIMEOUT_MS, never more than `mailTimeoutMs`): a server that
   * accepts and never answers frees its lane in seconds, while a big FETCH still
   * gets the long socket timeout.
   */
  greetingTimeoutMs: number;
  /** Timeouts in a row from one server host before its circuit opens (lib/sync/host-circuit.ts). */
  circuitThreshold: number;
  /** How long an opened circuit waits before one probe; doubled by each failed probe… */
  circuitOpenMs: number;
  /** …up to this. */
  circuitOpenCapMs: number;
  /** Overrides the profile's minimum polling interval (tests). */
  intervalMs?: number;
  /** Backoff never waits longer than this. */
  backoffCapMs: number;
  /** A mailbox that found no free connection slot is tried again after this long. */
  slotWaitMs: number;
  /** Transient failures in a row before a warning alert. */
  warnAfterFailures: number;
  /** Transient failures in a row before incoming is disabled… */
  disableAfterFailures: number;
  /** …provided they span at least this long. */
  disableAfterMs: number;
  /** 0 ≤ x < 1, for backoff jitter. */
  random: () => number;
  /** Stops the sync at the next message boundary (worker shutdown). */
  signal?: AbortSignal;
  /** The worker's IMAP sessions kept between polls (lib/sync/kept-sessions.ts); without it every poll connects afresh. */
  kept?: KeptSessions;
};

/** The defaults (from the environment where it has a say), overridden by `overrides`. */
export function resolveSyncOptions(overrides: Partial<SyncOptions> & { workerId: string }): SyncOptions {
  const e = env();
  return {
    leaseMs: 5 * 60_000,
    budgetMs: 4 * 60_000,
    batchMaxMessages: 200,
    batchMaxBytes: 16 * 1024 * 1024,
    maxMessageBytes: e.MAILROOM_MAX_MESSAGE_BYTES,
    mailTimeoutMs: e.MAILROOM_MAIL_TIMEOUT_MS,
    greetingTimeoutMs: e.MAILROOM_GREETING_TIMEOUT_MS,
    circuitThreshold: 3,
    circuitOpenMs: 30_000,
    circuitOpenCapMs: 10 * 60_000,
    backoffCapMs: 30 * 60_000,
    slotWaitMs: 2_000,
    warnAfterFailures: 3,
    disableAfterFailures: 10,
    disableAfterMs: 60 * 60_000,
    random: Math.random,
    ...overrides,
  };
}
