import type { Db } from "../../db/client";
import type { Mailbox } from "../../db/schema/mailboxes";
import type { MailboxConnection } from "../mailboxes/get-mailbox-connection";
import { secretOf, type MailAuth } from "../credentials/mail-auth";
import type { IncomingSessionSettings } from "../mail/connect-imap";
import type { MailErrorContext } from "../mail/errors";
import type { SyncOptions } from "./sync-options";
import type { CursorColumns } from "./update-sync-cursor";

/** What a protocol's sync (IMAP, POP3) gets from syncMailbox. */
export type ProtocolSyncContext = {
  db: Db;
  /** The mailbox row as claimed (cursor columns included). */
  mailbox: Mailbox;
  conn: MailboxConnection;
  /** The sign-in resolved for this sync (lib/credentials/resolve-mail-auth.ts). */
  auth: MailAuth;
  options: SyncOptions;
  /**
   * Whether to stop before batch number `next` (0-based): once the time budget is
   * spent — but never before the first batch, so a slow start still makes
   * progress — or at once when the worker is stopping or the lease was lost.
   */
  shouldStop: (next: number) => boolean;
  /** Hands over a way to close the server connection, so a hung operation can be cut at the deadline. */
  onConnection: (close: () => void) => void;
  /** Recipients of per-message alerts (too large, not parseable). */
  messageAlertRecipients: (string | null)[];
  /** Whether stored rows wait for an after-fetch action, when the caller knows (the claim says); undefined: look. */
  afterFetchPending?: boolean;
};

/**
 * complete: everything due was stored (false: cut by the budget; the next sync continues at once).
 * cursor: cursor and progress columns the caller writes with the outcome, in the same statement
 * and under the same lease check (what the batches stored carried its own cursor already).
 */
export type ProtocolSyncResult = { complete: boolean; stored: number; cursor?: CursorColumns };

/** The incoming endpoint of a mailbox as session settings. */
export function incomingSession(conn: MailboxConnection, auth: MailAuth, options: SyncOptions): IncomingSessionSettings {
  return {
    host: conn.incoming.host,
    port: conn.incoming.port,
    tls: conn.incoming.tls,
    allowUnencrypted: conn.profile.allowUnencrypted,
    authMethod: conn.incoming.authMethod,
    auth,
    ca: conn.ca,
    timeoutMs: options.mailTimeoutMs,
    greetingTimeoutMs: Math.min(options.greetingTimeoutMs, options.mailTimeoutMs),
  };
}

/**
 * What classifyMailError needs to know about a failure on a mailbox's incoming endpoint
 * (sync, push, the Sent-folder copy): where it was, whose credentials, and the secret
 * to scrub from the server's words once the sign-in was resolved.
 */
export function incomingErrorContext(conn: MailboxConnection, auth?: MailAuth): MailErrorContext {
  return {
    direction: "incoming",
    protocol: conn.incoming.protocol,
    host: conn.incoming.host,
    port: conn.incoming.port,
    tls: conn.incoming.tls,
    credentialsFrom: conn.credentialsFrom,
    secrets: auth ? [secretOf(auth)] : [],
    oauth: conn.incoming.credentials.kind === "oauth",
    provider: conn.profile.oauthProvider,
  };
}
