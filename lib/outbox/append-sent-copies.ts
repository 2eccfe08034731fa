import { and, eq, inArray, sql } from "drizzle-orm";
import type { ImapFlow, ListResponse } from "imapflow";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { outbox } from "../../db/schema/outbox";
import { raiseAlert } from "../alerts/raise-alert";
import { secretOf, type MailAuth } from "../credentials/mail-auth";
import { resolveMailAuth } from "../credentials/resolve-mail-auth";
import { msg, nested, type Message } from "../i18n/message";
import { log } from "../log";
import { connectImap } from "../mail/connect-imap";
import { classifyMailError, type ClassifiedError, type MailErrorContext } from "../mail/errors";
import { settingsError } from "../mail/settings-error";
import { mailboxConnectionOf } from "../mailboxes/get-mailbox-connection";
import { acquireConnectionSlot, releaseConnectionSlot } from "../sync/connection-slots";
import { incomingErrorContext } from "../sync/protocol-sync";
import { retryDelayMs, type SendOptions } from "./send-options";

/** Names tried, in order, when the server marks no folder \Sent (RFC 6154). */
export const SENT_FOLDER_NAMES = ["Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent", "INBOX/Sent", "[Gmail]/Sent Mail", "送信済みアイテム", "送信済みメール", "送信済み"];

export type AppendOptions = Pick<SendOptions, "workerId" | "leaseMs" | "mailTimeoutMs" | "retryBaseMs" | "retryCapMs" | "maxAttempts" | "slotWaitMs" | "random" | "signal"> & {
  /** Copies claimed per pass. */
  claimLimit: number;
};

export type AppendTally = { appended: number; found: number; retrying: number; failed: number; waiting: number };

type Claimed = { id: number; mailboxId: string; messageId: string; subject: string; attempts: number; createdById: string | null };

/**
 * The profile's "append sent mail to the IMAP Sent folder", after the SMTP
 * server took the email (markSent queued the exact bytes sent): claims pending
 * copies (FOR UPDATE SKIP LOCKED, with a lease), opens one IMAP session per
 * mailbox within its connection budget, finds the Sent folder (special-use \Sent,
 * else SENT_FOLDER_NAMES) and APPENDs each copy, marked \Seen — once per email:
 * before appending it searches the folder for the email's Message-ID, so a crash
 * between the APPEND and its record finds the copy there instead of appending a
 * second. A copy that cannot be appended never sends the email again: temporary
 * failures are retried with backoff, and a permanent one (or too many) marks the
 * copy failed and alerts the mailbox owner and the email's writer.
 */
export async function appendSentCopies(db: Db, o: AppendOptions): Promise<AppendTally> {
  const tally: AppendTally = { appended: 0, found: 0, retrying: 0, failed: 0, waiting: 0 };
  const claimed = await db.execute<{ id: string; mailbox_id: string; message_id: string; subject: string; sent_copy_attempts: number; created_by_id: string | null }>(sql`
    update outbox set lease_owner = ${o.workerId}, lease_expires_at = now() + ${o.leaseMs} * interval '1 millisecond'
     where id in (select id from outbox
                   where sent_copy = 'pending' and sent_copy_next_at <= now() and (lease_expires_at is null or lease_expires_at < now())
                   order by sent_copy_next_at limit ${o.claimLimit}
                   for update skip locked)
    returning id, mailbox_id, message_id, subject, sent_copy_attempts, created_by_id`);
  const byMailbox = new Map<string, Claimed[]>();
  for (const r of claimed) {
    const c = { id: Number(r.id), mailboxId: r.mailbox_id, messageId: r.message_id, subject: r.subject, attempts: r.sent_copy_attempts, createdById: r.created_by_id };
    byMailbox.set(c.mailboxId, [...(byMailbox.get(c.mailboxId) ?? []), c]);
  }
  for (const [mailboxId, rows] of byMailbox) {
    try {
      await appendMailboxCopies(db, mailboxId, rows, o, tally);
    } catch (err) {
      // A database error: the copies keep their lease and are tried again when it expires.
      log("error", "could not append sent copies; retried when their lease expires", { mailboxId, err });
    }
  }
  return tally;
}

async function appendMailboxCopies(db: Db, mailboxId: string, rows: Claimed[], o: AppendOptions, tally: AppendTally): Promise<void> {
  const [m] = await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  if (!m) return; // deleted with its outbox
  const ids = rows.map((r) => r.id);
  const fail = async (error: Pick<ClassifiedError, "kind" | "message" | "detail">, only: Claimed[] = rows) => {
    for (const r of only) {
      const attempts = r.attempts + 1;
      if (error.kind === "transient" && attempts < o.maxAttempts) {
        await recordRetry(db, r.id, o, attempts, error.message);
        tally.retrying++;
      } else {
        await recordFailed(db, r.id, o.workerId, attempts, error.message);
        tally.failed++;
        await raiseAlert(db, {
          severity: "warning",
          recipientIds: [m.ownerId, r.createdById],
          mailboxId,
          profileId: m.profileId ?? undefined,
          dedupKey: `outgoing:sent-copy:${mailboxId}`,
          title: msg("alerts.text.sentCopyFailedTitle", { mailbox: m.name }),
          message: msg("alerts.text.sentCopyFailed", {
            ...nested("subject", msg("alerts.text.what", r.subject ? { subject: r.subject } : { subjectKey: "alerts.text.noSubject" })),
            ...nested("cause", error.message),
          }),
          detail: `outbox ${r.id} ${r.messageId}: ${error.detail}`,
        });
      }
    }
  };

  let conn;
  try {
    conn = await mailboxConnectionOf(db, m);
  } catch (err) {
    await fail(settingsError(err));
    return;
  }
  // The copy goes through IMAP whatever the incoming protocol says (only IMAP profiles queue copies).
  const ctx: MailErrorContext = { ...incomingErrorContext(conn), protocol: "imap" };
  const slotOwner = `${o.workerId}/sent-copy/${mailboxId}`;
  const slot = await acquireConnectionSlot(db, { key: conn.slotKey, max: conn.profile.maxConnections, owner: slotOwner, ttlMs: o.leaseMs });
  if (slot === null) {
    // The budget is in use (a sync, other copies): the copies wait, no attempt counted.
    await db
      .update(outbox)
      .set({ leaseOwner: null, leaseExpiresAt: null, sentCopyNextAt: sql`now() + ${o.slotWaitMs} * interval '1 millisecond'` })
      .where(and(inArray(outbox.id, ids), eq(outbox.leaseOwner, o.workerId)));
    tally.waiting += ids.length;
    return;
  }
  let client: ImapFlow | undefined;
  let auth: MailAuth | undefined;
  try {
    try {
      auth = await resolveMailAuth(db, conn.incoming.credentials);
      ctx.secrets = [secretOf(auth)];
      client = await connectImap({
        host: conn.incoming.host,
        port: conn.incoming.port,
        tls: conn.incoming.tls,
        allowUnencrypted: conn.profile.allowUnencrypted,
        authMethod: conn.incoming.authMethod,
        auth,
        ca: conn.ca,
        timeoutMs: o.mailTimeoutMs,
      });
    } catch (err) {
      await fail(classifyMailError(err, ctx));
      return;
    }
    const folder = findSentFolder(await client.list());
    if (!folder) {
      await fail({ kind: "permanent", message: msg("outbox.sentCopy.noFolder", { names: SENT_FOLDER_NAMES.slice(0, 4).join(", ") }), detail: "no \\Sent folder and none of the usual names" });
      return;
    }
    const lock = await client.getMailboxLock(folder);
    try {
      for (const r of rows) {
        if (o.signal?.aborted) break;
        try {
          const there = await client.search({ header: { "message-id": r.messageId } }, { uid: true });
          if (there && there.length > 0) {
            tally.found++;
          } else {
            const [row] = await db.select({ raw: outbox.sentCopyRaw }).from(outbox).where(eq(outbox.id, r.id));
            if (!row?.raw) continue;
            await client.append(folder, Buffer.from(row.raw), ["\\Seen"]);
            tally.appended++;
          }
          await recordAppended(db, r.id, o.workerId, folder);
        } catch (err) {
          await fail(classifyMailError(err, ctx), [r]);
        }
      }
    } finally {
      lock.release();
    }
  } finally {
    await client?.logout().catch(() => client?.close());
    await releaseConnectionSlot(db, { key: conn.slotKey, slot, owner: slotOwner }).catch((err) => log("warn", "could not release a connection slot (it expires by itself)", { mailboxId, err }));
    // Copies left claimed (the worker is stopping) go back at once.
    await db
      .update(outbox)
      .set({ leaseOwner: null, leaseExpiresAt: null })
      .where(and(inArray(outbox.id, ids), eq(outbox.leaseOwner, o.workerId), eq(outbox.sentCopy, "pending")));
  }
}

/** The folder marked \Sent (RFC 6154), else the first of SENT_FOLDER_NAMES the server has (names compared without case). */
export function findSentFolder(list: Pick<ListResponse, "path" | "specialUse" | "flags">[]): string | null {
  const special = list.find((f) => f.specialUse === "\\Sent" || f.flags?.has?.("\\Sent"));
  if (special) return special.path;
  for (const name of SENT_FOLDER_NAMES) {
    const hit = list.find((f) => f.path.toLowerCase() === name.toLowerCase());
    if (hit) return hit.path;
  }
  return null;
}

async function recordAppended(db: Db, id: number, workerId: string, folder: string): Promise<void> {
  await db
    .update(outbox)
    .set({ sentCopy: "appended", sentCopyAt: sql`now()`, sentCopyFolder: folder, sentCopyRaw: null, sentCopyErrorKey: null, sentCopyErrorParams: null, leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, workerId)));
}

async function recordRetry(db: Db, id: number, o: AppendOptions, attempts: number, reason: Message): Promise<void> {
  await db
    .update(outbox)
    .set({
      sentCopyAttempts: attempts,
      sentCopyNextAt: sql`now() + ${retryDelayMs(attempts, o)} * interval '1 millisecond'`,
      sentCopyErrorKey: reason.key,
      sentCopyErrorParams: reason.params ?? {},
      leaseOwner: null,
      leaseExpiresAt: null,
    })
    .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, o.workerId)));
}

async function recordFailed(db: Db, id: number, workerId: string, attempts: number, reason: Message): Promise<void> {
  // The bytes are dropped with the failure: the email itself stays sent, and its text is in the outbox row.
  await db
    .update(outbox)
    .set({ sentCopy: "failed", sentCopyAttempts: attempts, sentCopyRaw: null, sentCopyErrorKey: reason.key, sentCopyErrorParams: reason.params ?? {}, leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, workerId)));
}
