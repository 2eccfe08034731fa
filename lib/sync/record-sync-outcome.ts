import { and, eq, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db, DbOrTx } from "../../db/client";
import { mailboxes, type Mailbox } from "../../db/schema/mailboxes";
import { raiseAlert } from "../alerts/raise-alert";
import type { ClassifiedError } from "../mail/errors";
import { oauthAlertFor } from "../credentials/oauth-alert";
import { backoffDelayMs } from "./backoff-delay";
import type { SyncOptions } from "./sync-options";
import { msg, nested } from "../i18n/message";
import { lastErrorColumns } from "../mailboxes/last-error-columns";

/** Who a sync alert concerns: the mailbox, its profile, and their owners. */
export type SyncAlertTarget = { mailbox: Pick<Mailbox, "id" | "name" | "ownerId" | "consecutiveFailures" | "firstFailureAt">; profileId?: string; profileOwnerId: string | null };

const ms = (n: number) => sql`now() + ${Math.round(n)} * interval '1 millisecond'`;
/** Clears the last error, unless outgoing still fails: then it stays, as long as a status says Failure. */
const keepWhileOutgoingFails = (column: AnyPgColumn) => sql`case when ${mailboxes.outgoingStatus} = 'failure' then ${column} else null end`;
const clearLastError = {
  lastError: keepWhileOutgoingFails(mailboxes.lastError),
  lastErrorCode: keepWhileOutgoingFails(mailboxes.lastErrorCode),
  lastErrorKey: keepWhileOutgoingFails(mailboxes.lastErrorKey),
  lastErrorParams: keepWhileOutgoingFails(mailboxes.lastErrorParams),
};

const ours = (mailboxId: string, workerId: string) => and(eq(mailboxes.id, mailboxId), eq(mailboxes.leaseOwner, workerId));

/**
 * Records a successful sync and gives the lease back. The next sync is due one
 * polling interval after now (the end of this sync), or at once when this one
 * was cut short by its time budget. After a run of failures that raised a
 * warning, an information alert says the mailbox is syncing again.
 */
export async function recordSyncSuccess(db: Db, t: SyncAlertTarget, o: { complete: boolean; intervalMs: number; options: SyncOptions }): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(mailboxes)
      .set({
        lastSyncAt: sql`now()`,
        nextSyncAt: o.complete ? ms(o.intervalMs) : sql`now()`,
        incomingStatus: "success",
        consecutiveFailures: 0,
        firstFailureAt: null,
        ...clearLastError,
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: new Date(),
      })
      .where(ours(t.mailbox.id, o.options.workerId))
      .returning({ id: mailboxes.id });
    if (rows.length > 0 && t.mailbox.consecutiveFailures >= o.options.warnAfterFailures) await raiseSyncRecovered(tx, t);
  });
}

/** The information alert after a run of failures that raised a warning: the mailbox syncs again. */
export async function raiseSyncRecovered(tx: DbOrTx, t: SyncAlertTarget): Promise<void> {
  await raiseAlert(tx, {
    severity: "information",
    recipientIds: [t.mailbox.ownerId, t.profileOwnerId],
    mailboxId: t.mailbox.id,
    profileId: t.profileId,
    dedupKey: `incoming:recovered:${t.mailbox.id}`,
    title: msg("alerts.text.syncRecoveredTitle", { mailbox: t.mailbox.name }),
    message: msg("alerts.text.syncRecovered", { failures: t.mailbox.consecutiveFailures }),
  });
}

/**
 * Records a failed sync and gives the lease back (SPEC §4 errors):
 * - permanent: incoming is disabled at once, status failure, error alert to the
 *   mailbox owner and the profile owner (a later test & enable re-enables it);
 * - transient: retried after an exponential backoff; a warning alert from the
 *   `warnAfterFailures`-th failure in a row (counted, not repeated, on the wall);
 *   after `disableAfterFailures` in a row spanning `disableAfterMs`, disabled
 *   with an error alert.
 * Returns what was decided.
 */
export async function recordSyncFailure(
  db: Db,
  t: SyncAlertTarget,
  error: ClassifiedError,
  o: { intervalMs: number; options: SyncOptions },
): Promise<"disabled" | "retrying"> {
  const failures = t.mailbox.consecutiveFailures + 1;
  const firstFailureAt = t.mailbox.firstFailureAt ?? new Date();
  const spanMs = Date.now() - firstFailureAt.getTime();
  const disable =
    error.kind === "permanent" || (failures >= o.options.disableAfterFailures && spanMs >= o.options.disableAfterMs);
  const recipients = [t.mailbox.ownerId, t.profileOwnerId];
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(mailboxes)
      .set({
        consecutiveFailures: failures,
        firstFailureAt,
        ...lastErrorColumns(error.message, error.code),
        nextSyncAt: disable ? null : ms(backoffDelayMs(failures, o.intervalMs, o.options.backoffCapMs, o.options.random)),
        ...(disable ? { incomingEnabled: false, incomingStatus: "failure" as const } : {}),
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: new Date(),
      })
      .where(ours(t.mailbox.id, o.options.workerId))
      .returning({ id: mailboxes.id });
    if (rows.length === 0) return;
    if (disable) {
      const why =
        error.kind === "permanent"
          ? error.message
          : msg("alerts.text.failedInARow", { failures, minutes: Math.round(spanMs / 60_000), ...nested("last", error.message) });
      await raiseAlert(tx, {
        severity: "error",
        recipientIds: recipients,
        mailboxId: t.mailbox.id,
        profileId: t.profileId,
        dedupKey: `incoming:disabled:${t.mailbox.id}`,
        title: msg("alerts.text.incomingDisabledTitle", { mailbox: t.mailbox.name }),
        message: msg("alerts.text.incomingDisabled", nested("cause", why)),
        detail: error.detail,
        // A dead OAuth sign-in: one "sign in again" alert for both directions instead.
        ...oauthAlertFor(error, t.mailbox),
      });
    } else if (failures >= o.options.warnAfterFailures) {
      await raiseAlert(tx, {
        severity: "warning",
        recipientIds: recipients,
        mailboxId: t.mailbox.id,
        profileId: t.profileId,
        dedupKey: `incoming:failing:${t.mailbox.id}`,
        title: msg("alerts.text.incomingFailingTitle", { mailbox: t.mailbox.name }),
        message: msg("alerts.text.incomingFailing", { failures, ...nested("cause", error.message) }),
        detail: error.detail,
      });
    }
  });
  return disable ? "disabled" : "retrying";
}

/** Gives the lease back without a sync (no free connection slot): due again after `waitMs`, not an error. */
export async function releaseForLater(db: Db, mailboxId: string, workerId: string, waitMs: number): Promise<void> {
  await db
    .update(mailboxes)
    .set({ nextSyncAt: ms(waitMs), leaseOwner: null, leaseExpiresAt: null })
    .where(ours(mailboxId, workerId));
}
