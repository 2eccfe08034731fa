import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { outbox } from "../../db/schema/outbox";
import { raiseAlert } from "../alerts/raise-alert";
import { oauthAlertFor } from "../credentials/oauth-alert";
import type { ClassifiedError } from "../mail/errors";
import { inEnglish, msg, nested, type Message } from "../i18n/message";
import { lastErrorColumns } from "../mailboxes/last-error-columns";

const after = (ms: number) => sql`now() + ${Math.round(ms)} * interval '1 millisecond'`;
const leasedTo = (ids: number[], workerId: string) => and(inArray(outbox.id, ids), eq(outbox.leaseOwner, workerId), eq(outbox.status, "sending"));
const cut = (text: string, max = 1000) => text.trim().slice(0, max);
/** A reason for people as stored: key and parameters, with an English copy in last_error. */
const reasonColumns = (reason: Message) => ({ lastError: cut(inEnglish(reason)), lastErrorKey: reason.key, lastErrorParams: reason.params ?? {} });

/**
 * Records that the server accepted an email (its 250 reply and the time). One
 * statement, so its own transaction, run the moment the reply arrives: the
 * window in which a crash forgets an accepted email is this one round trip.
 * Recorded even if the lease lapsed meanwhile — the email was sent either way.
 * With `sentCopyRaw` (the profile appends sent mail to the IMAP Sent folder), the
 * copy is queued by the same statement.
 */
export async function markSent(db: Db, id: number, serverResponse: string, sentCopyRaw: Buffer | null = null): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: "sent",
      sentAt: sql`now()`,
      serverResponse: cut(serverResponse),
      lastError: null,
      lastErrorKey: null,
      lastErrorParams: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      // The exact bytes sent wait here for the Sent folder (lib/outbox/append-sent-copies.ts), in the same statement.
      ...(sentCopyRaw ? { sentCopy: "pending", sentCopyRaw, sentCopyNextAt: sql`now()` } : {}),
    })
    .where(and(eq(outbox.id, id), ne(outbox.status, "sent")));
}

/** A temporary failure: tried again after `delayMs`, with the reason shown in the Sent view. */
export async function markRetrying(db: Db, ids: number[], workerId: string, error: ClassifiedError, serverResponse: string | null, delayMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ status: "retrying", nextAttemptAt: after(delayMs), ...reasonColumns(error.message), serverResponse: serverResponse && cut(serverResponse), leaseOwner: null, leaseExpiresAt: null })
    .where(leasedTo(ids, workerId));
}

/** A final failure, with the reason (and the server's words, when it refused). */
export async function markFailed(db: Db, id: number, workerId: string, reason: Message, serverResponse: string | null): Promise<boolean> {
  const rows = await db
    .update(outbox)
    .set({ status: "failed", ...reasonColumns(reason), serverResponse: serverResponse && cut(serverResponse), leaseOwner: null, leaseExpiresAt: null })
    .where(leasedTo([id], workerId))
    .returning({ id: outbox.id });
  return rows.length > 0;
}

/**
 * Gives emails back without counting the attempt: queued (or retrying, if they
 * had failed before) and due after `delayMs` — no free connection slot, or the
 * mailbox stopped sending and they wait until it is enabled again.
 */
export async function releaseEmails(db: Db, ids: number[], workerId: string, delayMs: number, note?: Message): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({
      status: sql`(case when ${outbox.lastError} is null then 'queued' else 'retrying' end)::outbox_status`,
      attempts: sql`greatest(${outbox.attempts} - 1, 0)`,
      nextAttemptAt: after(delayMs),
      ...(note ? reasonColumns(note) : {}),
      leaseOwner: null,
      leaseExpiresAt: null,
    })
    .where(leasedTo(ids, workerId));
}

/** Extends the lease on emails still being sent; returns the ids still leased to `workerId` (the others were taken over). */
export async function renewEmailLeases(db: Db, ids: number[], workerId: string, leaseMs: number): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.update(outbox).set({ leaseExpiresAt: after(leaseMs) }).where(leasedTo(ids, workerId)).returning({ id: outbox.id });
  return rows.map((r) => r.id);
}

/** Who hears about a mailbox's outgoing mail. */
export type OutgoingAlertTarget = { mailboxId: string; mailboxName: string; ownerId: string | null; profileId: string | null; profileOwnerId: string | null };

/**
 * A permanent problem with the mailbox's sending (authentication failed, the
 * certificate is not trusted, unusable settings): outgoing is disabled and its
 * status set to failure at once, and an error alert goes to the mailbox owner
 * and the profile owner. Its queued mail waits; a later successful Test & enable
 * turns outgoing back on and the worker sends it.
 */
export async function disableOutgoing(db: Db, t: OutgoingAlertTarget, error: ClassifiedError): Promise<void> {
  await db.transaction(async (tx) => {
    // The last error stays as long as the status says Failure (a later successful sync keeps it too).
    await tx.update(mailboxes).set({ outgoingEnabled: false, outgoingStatus: "failure", ...lastErrorColumns(error.message, error.code), updatedAt: new Date() }).where(eq(mailboxes.id, t.mailboxId));
    await raiseAlert(tx, {
      severity: "error",
      recipientIds: [t.ownerId, t.profileOwnerId],
      mailboxId: t.mailboxId,
      profileId: t.profileId ?? undefined,
      dedupKey: `outgoing:disabled:${t.mailboxId}`,
      title: msg("alerts.text.outgoingDisabledTitle", { mailbox: t.mailboxName }),
      message: msg("alerts.text.outgoingDisabled", nested("cause", error.message)),
      detail: error.detail,
      // A dead OAuth sign-in: one "sign in again" alert for both directions instead.
      ...oauthAlertFor(error, { id: t.mailboxId, name: t.mailboxName }),
    });
  });
}
