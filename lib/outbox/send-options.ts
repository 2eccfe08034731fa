import { env } from "../env";
import type { SmtpTransportCache } from "./smtp-transport-cache";

/** The knobs of sending. Production uses the defaults; tests shorten the times through these, never by sleeping. */
export type SendOptions = {
  /** Who holds the leases (the worker's id). */
  workerId: string;
  /** How long a claim on an email (and the connection slots) lasts without renewal; renewed while sending. */
  leaseMs: number;
  /** Emails claimed per pass. */
  claimLimit: number;
  /** A pass stops taking new emails after this long (the rest go back to the queue, due at once), so it never holds the worker loop for long. */
  budgetMs: number;
  /** Every SMTP phase (connect, greeting, each reply) waits at most this long (MAILROOM_MAIL_TIMEOUT_MS). */
  mailTimeoutMs: number;
  /** The first retry after a temporary failure waits this long, doubling each time… */
  retryBaseMs: number;
  /** …up to this. */
  retryCapMs: number;
  /** After this many attempts a temporary failure is final: the email fails. */
  maxAttempts: number;
  /** Temporary failures of one email before its mailbox's owner gets a warning alert. */
  warnAfterAttempts: number;
  /** Emails that found no free connection slot are tried again after this long. */
  slotWaitMs: number;
  /** 0 ≤ x < 1, for backoff jitter. */
  random: () => number;
  /** Stops taking new emails (worker shutdown); emails in flight finish. */
  signal?: AbortSignal;
  /** SMTP pools kept open across passes (the worker's); without it a pass opens its own and closes them at its end. */
  transports?: SmtpTransportCache;
};

/** The defaults (from the environment where it has a say), overridden by `overrides`. */
export function resolveSendOptions(overrides: Partial<SendOptions> & { workerId: string }): SendOptions {
  return {
    leaseMs: 5 * 60_000,
    claimLimit: 500,
    budgetMs: 20_000,
    mailTimeoutMs: env().MAILROOM_MAIL_TIMEOUT_MS,
    retryBaseMs: 60_000,
    retryCapMs: 30 * 60_000,
    maxAttempts: 10,
    warnAfterAttempts: 3,
    slotWaitMs: 2_000,
    random: Math.random,
    ...overrides,
  };
}

/**
 * How long to wait after the `attempts`-th attempt failed for a temporary reason:
 * base, 2×, 4×, … up to the cap, plus up to 20 % jitter so emails that failed
 * together do not all retry at the same instant.
 */
export function retryDelayMs(attempts: number, o: Pick<SendOptions, "retryBaseMs" | "retryCapMs" | "random">): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const base = Math.min(o.retryCapMs, o.retryBaseMs * 2 ** exponent);
  return Math.round(Math.min(o.retryCapMs, base * (1 + 0.2 * o.random())));
}
