import type { Db } from "../../db/client";
import type { Mailbox } from "../../db/schema/mailboxes";
import type { MailboxConnection } from "../mailboxes/get-mailbox-connection";
import type { MailAuth } from "../credentials/mail-auth";
import type { IncomingSessionSettings } from "../mail/connect-imap";
import type { SyncOptions } from "./sync-options";

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
};

/** complete: everything due was stored (false: cut by the budget; the next sync continues at once). */
export type ProtocolSyncResult = { complete: boolean; stored: number };

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
