import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { visibleMailboxCondition } from "../mailboxes/mailbox-view";
import { isUuid } from "../is-uuid";
import { HELD_STATES } from "./push-sessions-sql";
import { pushStatusOf, type PushStatus } from "./push-status";
import { storedMessage, type Message } from "../i18n/message";

/**
 * Where a mailbox's incoming sync stands, for its page:
 * - not_started: never synced yet;
 * - first_sync: the first sync (or the one after the server renumbered its
 *   messages) is under way: `done` of `total` messages stored so far;
 * - backfill: process-from moved earlier and older mail is being fetched (`done` of `total`);
 * - up_to_date: everything due has been stored.
 */
export type SyncProgress = {
  /** disabled: incoming was turned off after a failure (the status says Failure), whatever the cursor says. */
  phase: "not_started" | "first_sync" | "backfill" | "up_to_date" | "disabled";
  done: number;
  total: number;
  /** A worker is syncing it right now (its lease is live). */
  syncing: boolean;
  lastSyncAt: Date | null;
  nextSyncAt: Date | null;
  consecutiveFailures: number;
  /** A key to render in the reader's language, or an older row's English text. */
  lastError: Message | string | null;
  /** Whether new mail is pushed (IMAP IDLE) or why it is polled; null when the worker does not fetch its mail. */
  push: PushStatus | null;
};

/**
 * The sync progress of a mailbox `actor` may read (mailbox:read-own; members
 * only their own mailbox and the queues they own). Throws AppError "not_found" otherwise.
 */
export async function getSyncProgress(db: Db, actor: Actor | null, input: { mailboxId: string }): Promise<SyncProgress> {
  assertCan(actor, "mailbox:read-own");
  const [r] = isUuid(input.mailboxId)
    ? await db
        .select({ m: mailboxes, processFrom: profiles.processEmailFrom, pushEnabled: profiles.pushEnabled, protocol: profiles.incomingProtocol })
        .from(mailboxes)
        .leftJoin(profiles, eq(profiles.id, mailboxes.profileId))
        .where(and(eq(mailboxes.id, input.mailboxId), visibleMailboxCondition(actor)))
    : [];
  if (!r) throw new AppError("not_found", msg("error.mailbox.notYours"));
  const { m, processFrom, pushEnabled, protocol } = r;
  // A mailbox held open for push keeps a lease while it waits for mail: that is not syncing.
  const held = (HELD_STATES as readonly string[]).includes(m.pushState ?? "");
  const syncing = !!m.leaseOwner && !!m.leaseExpiresAt && m.leaseExpiresAt.getTime() > Date.now() && !held;
  let phase: SyncProgress["phase"];
  if (m.syncedFrom === null) phase = m.lastSyncAt === null && m.syncProgressTotal === 0 && !syncing ? "not_started" : "first_sync";
  else if (processFrom && processFrom.getTime() < m.syncedFrom.getTime()) phase = "backfill";
  else phase = "up_to_date";
  // The panel must say what the status says: a mailbox disabled after a failure is not "up to date".
  if (!m.incomingEnabled && m.incomingStatus === "failure") phase = "disabled";
  return {
    phase,
    done: m.syncProgressDone,
    total: m.syncProgressTotal,
    syncing,
    lastSyncAt: m.lastSyncAt,
    nextSyncAt: m.nextSyncAt,
    consecutiveFailures: m.consecutiveFailures,
    lastError: storedMessage(m.lastErrorKey, m.lastErrorParams, m.lastError),
    push: pushStatusOf(m, pushEnabled === null || protocol === null ? null : { pushEnabled, protocol }),
  };
}
