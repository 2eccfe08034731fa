import { asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { outboxAttachments, type OutboxEmail } from "../../db/schema/outbox";
import { raiseAlert } from "../alerts/raise-alert";
import { log } from "../log";
import { classifyMailError, type ClassifiedError, type MailErrorContext } from "../mail/errors";
import { mailboxConnectionOf, type MailboxConnection } from "../mailboxes/get-mailbox-connection";
import MailComposer from "nodemailer/lib/mail-composer";
import { buildMailMessage } from "./build-mail-message";
import type { ClaimedEmail } from "./claim-due-emails";
import { disableOutgoing, markFailed, markRetrying, markSent, releaseEmails, renewEmailLeases, type OutgoingAlertTarget } from "./record-send-outcome";
import { retryDelayMs, type SendOptions } from "./send-options";
import { settingsError } from "../mail/settings-error";
import { secretOf, type MailAuth } from "../credentials/mail-auth";
import { resolveMailAuth } from "../credentials/resolve-mail-auth";
import { recheckRefusedToken } from "../credentials/recheck-refused-token";
import { assertPortAllowed } from "../mail/port-policy";
import { createSmtpTransportCache, type SmtpTransportCache } from "./smtp-transport-cache";
import { msg, nested, type Message } from "../i18n/message";

export type SendTally = { sent: number; retrying: number; failed: number; released: number };

/*
 * Delivery is "at least once", never "exactly once": SMTP has no way to ask a
 * server whether it already took a message. If the worker dies after the
 * server's 250 reply and before `markSent` commits, the email is still
 * `sending`; when its lease expires another worker sends it again, with the
 * same Message-ID (fixed at queue time), so the recipient's mail program can
 * recognise the copy. The window is kept to the protocol's minimum: `markSent`
 * is a single statement in its own transaction, issued the moment sendMail
 * resolves, before anything else is done with that email.
 */

/**
 * Sends emails this worker has claimed (claimDueEmails), grouped by mailbox:
 * each mailbox's effective SMTP settings, a pool of at most as many sessions as
 * connection slots it could take of its budget (the profile's maximum
 * concurrent connections), and each outcome recorded at once — sent with the
 * server's reply; temporary failures retried with exponential backoff; a
 * message the server refuses (5xx) failed with its words and an alert to the
 * owner; authentication or another permanent mailbox problem fails that email,
 * disables outgoing for the mailbox and alerts its owner and the profile owner,
 * and the rest wait queued until Test & enable turns it back on. The SMTP pools
 * come from `options.transports` (kept open across passes, with their slots) or,
 * without it, are opened for this pass and closed at its end.
 */
export async function sendClaimedEmails(db: Db, claimed: ClaimedEmail[], options: SendOptions): Promise<SendTally> {
  const tally: SendTally = { sent: 0, retrying: 0, failed: 0, released: 0 };
  const deadline = Date.now() + options.budgetMs;
  const pending = new Set(claimed.map((c) => c.id));
  const renewEvery = Math.max(1_000, Math.floor(options.leaseMs / 3));
  const renewTimer = setInterval(() => {
    const ids = [...pending];
    renewEmailLeases(db, ids, options.workerId, options.leaseMs)
      .then((still) => {
        // Lost leases (expired and claimed by another worker): not ours to send any more.
        const held = new Set(still);
        for (const id of ids) if (!held.has(id) && pending.has(id)) pass.lost.add(id);
      })
      .catch((err) => log("warn", "could not renew outbox leases", { err }));
  }, renewEvery);
  const transports = options.transports ?? createSmtpTransportCache(db, { owner: options.workerId, leaseMs: options.leaseMs });
  const pass: Pass = { o: options, deadline, tally, pending, lost: new Set(), transports };
  try {
    // Attachments are read only for the emails that have some (most have none).
    const withAttachments = claimed.length
      ? new Set(
          (await db.selectDistinct({ id: outboxAttachments.outboxId }).from(outboxAttachments).where(inArray(outboxAttachments.outboxId, claimed.map((c) => c.id)))).map(
            (r) => r.id,
          ),
        )
      : new Set<number>();
    const byMailbox = new Map<string, OutboxEmail[]>();
    for (const c of claimed) byMailbox.set(c.mailboxId, [...(byMailbox.get(c.mailboxId) ?? []), c]);
    await Promise.all([...byMailbox].map(([mailboxId, rows]) => sendMailboxEmails(db, mailboxId, rows, withAttachments, pass)));
  } finally {
    clearInterval(renewTimer);
    if (!options.transports) await transports.closeAll();
  }
  return tally;
}

type Pass = { o: SendOptions; deadline: number; tally: SendTally; pending: Set<number>; lost: Set<number>; transports: SmtpTransportCache };

type Stop = { kind: "disabled" | "unreachable"; error: ClassifiedError; serverResponse: string | null; attempts: number };

async function sendMailboxEmails(db: Db, mailboxId: string, rows: OutboxEmail[], withAttachments: Set<number>, pass: Pass): Promise<void> {
  const { o, deadline, tally, pending } = pass;
  const ids = rows.map((r) => r.id);
  const done = (n: number[], key: keyof SendTally) => {
    for (const id of n) pending.delete(id);
    tally[key] += n.length;
  };
  const [m] = await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  if (!m) return; // deleted with its outbox (cascade)
  const target: OutgoingAlertTarget = { mailboxId, mailboxName: m.name, ownerId: m.ownerId, profileId: m.profileId, profileOwnerId: null };

  // A mailbox that cannot send at all: permanent → outgoing disabled, emails wait queued; transient → retried.
  const stopMailbox = async (error: ClassifiedError) => {
    if (error.kind === "permanent") {
      await disableOutgoing(db, target, error);
      await releaseEmails(db, ids, o.workerId, 0, error.message);
      done(ids, "released");
    } else {
      await markRetrying(db, ids, o.workerId, error, null, o.retryBaseMs);
      done(ids, "retrying");
    }
  };

  let conn: MailboxConnection;
  try {
    conn = await mailboxConnectionOf(db, m);
  } catch (err) {
    const error = settingsError(err);
    log(error.kind === "permanent" ? "warn" : "error", "outgoing settings unusable", { mailboxId, code: error.code, err });
    await stopMailbox(error);
    return;
  }
  target.profileOwnerId = conn.profile.ownerId;
  const ctx: MailErrorContext = {
    direction: "outgoing",
    protocol: "smtp",
    host: conn.outgoing.host,
    port: conn.outgoing.port,
    tls: conn.outgoing.tls,
    credentialsFrom: conn.credentialsFrom,
    outgoingCredentials: conn.credentialsFrom === "profile" && conn.profile.outgoing.credentials !== conn.profile.incoming.credentials ? "separate" : "same",
    oauth: conn.outgoing.credentials.kind === "oauth",
    provider: conn.profile.oauthProvider,
  };
  let auth: MailAuth;
  try {
    // Right before connecting: an OAuth access token is refreshed here when due.
    assertPortAllowed(conn.outgoing.port);
    auth = await resolveMailAuth(db, conn.outgoing.credentials);
  } catch (err) {
    const error = classifyMailError(err, ctx);
    log("warn", "outgoing sign-in unavailable", { mailboxId, code: error.code, detail: error.detail });
    await stopMailbox(error);
    return;
  }
  ctx.secrets = [secretOf(auth)];

  const pooled = await pass.transports.take({
    slotKey: conn.slotKey,
    max: conn.profile.maxConnections,
    want: ids.length,
    settings: {
      host: conn.outgoing.host,
      port: conn.outgoing.port,
      tls: conn.outgoing.tls,
      allowUnencrypted: conn.profile.allowUnencrypted,
      authMethod: conn.outgoing.authMethod,
      auth,
      ca: conn.ca,
      timeoutMs: o.mailTimeoutMs,
    },
  });
  if (!pooled) {
    await releaseEmails(db, ids, o.workerId, o.slotWaitMs);
    done(ids, "released");
    return;
  }
  const transport = pooled.transport;
  // "Append sent mail to the IMAP Sent folder": only an IMAP profile has a Sent folder to append to.
  const keepSentCopy = conn.profile.appendSentToImap && conn.profile.incoming.protocol === "imap";
  const where = { mailboxId, host: ctx.host, port: ctx.port, workerId: o.workerId };
  const queue = [...rows];
  let stop: Stop | null = null;

  const sendOne = async (row: OutboxEmail) => {
    const id = row.id;
    if (pass.lost.has(id)) {
      done([id], "released"); // another worker took it over
      return;
    }
    const attachments = withAttachments.has(id)
      ? await db
          .select({ filename: outboxAttachments.filename, contentType: outboxAttachments.contentType, content: outboxAttachments.content })
          .from(outboxAttachments)
          .where(eq(outboxAttachments.outboxId, id))
          .orderBy(asc(outboxAttachments.position))
      : [];
    let response: string;
    let raw: Buffer;
    try {
      // Composed once and sent as these bytes, so the copy in the Sent folder is exactly what went out.
      raw = await new MailComposer(buildMailMessage(row, { name: m.name, address: m.emailAddress }, attachments)).compile().build();
      const info = await transport.sendMail({ envelope: envelopeOf(row, m.emailAddress), raw });
      response = info.response;
    } catch (err) {
      await recordFailure(row.id, row.attempts, row.createdById, err);
      return;
    }
    // Accepted: record it now, before anything else (see the note at the top of this file).
    await markSent(db, id, response, keepSentCopy ? raw : null);
    done([id], "sent");
  };

  const recordFailure = async (id: number, attempts: number, createdById: string | null, err: unknown) => {
    const error = await recheckRefusedToken(db, conn.outgoing.credentials, classifyMailError(err, ctx), ctx);
    const response = serverResponseOf(err);
    log("warn", "send failed", { ...where, outboxId: id, kind: error.kind, code: error.code, detail: error.detail, attempts });
    if (error.kind === "transient") {
      const sessionLevel = typeof (err as { responseCode?: unknown }).responseCode !== "number" || error.code === "server_unavailable" || error.code === "too_many_connections";
      if (sessionLevel) stop ??= { kind: "unreachable", error, serverResponse: response, attempts };
      if (attempts >= o.maxAttempts) {
        const reason = msg("outbox.reason.gaveUp", { attempts, ...nested("cause", error.message) });
        if (await markFailed(db, id, o.workerId, reason, response)) await alertFailed(db, target, [m.ownerId, createdById], id, reason, error.detail);
        done([id], "failed");
        return;
      }
      await markRetrying(db, [id], o.workerId, error, response, retryDelayMs(attempts, o));
      done([id], "retrying");
      if (attempts >= o.warnAfterAttempts) {
        await raiseAlert(db, {
          severity: "warning",
          recipientIds: [m.ownerId],
          mailboxId,
          profileId: m.profileId ?? undefined,
          dedupKey: `outgoing:failing:${mailboxId}`,
          title: msg("alerts.text.outgoingFailingTitle", { mailbox: m.name }),
          message: msg("alerts.text.outgoingFailing", { attempts, ...nested("cause", error.message) }),
          detail: error.detail,
        });
      }
      return;
    }
    if (error.code === "message_rejected") {
      if (await markFailed(db, id, o.workerId, error.message, response)) await alertFailed(db, target, [m.ownerId, createdById], id, error.message, error.detail);
      done([id], "failed");
      return;
    }
    // The mailbox cannot send at all (authentication, certificate, TLS, …).
    if (stop?.kind === "disabled") {
      await releaseEmails(db, [id], o.workerId, 0, stop.error.message);
      done([id], "released");
      return;
    }
    stop = { kind: "disabled", error, serverResponse: response, attempts };
    await markFailed(db, id, o.workerId, error.message, response);
    done([id], "failed");
    await disableOutgoing(db, target, error);
  };

  const lane = async () => {
    while (queue.length > 0 && !stop && !o.signal?.aborted && Date.now() < deadline) {
      const row = queue.shift()!;
      try {
        await sendOne(row);
      } catch (err) {
        // A database error while recording: the email keeps its lease and is retried when it expires.
        log("error", "could not record an outbox result; retried when its lease expires", { ...where, outboxId: row.id, err });
        pending.delete(row.id);
      }
    }
  };
  try {
    // Two lanes per session: while one lane records its email as sent, the session already carries the
    // next one (nodemailer queues it for the pool), so no session idles during a database round trip.
    await Promise.all(Array.from({ length: pooled.sessions * 2 }, lane));
  } finally {
    // A pool that met an unusable server or credentials is closed; a healthy one stays open for the next pass.
    await pass.transports.giveBack(pooled, stop !== null);
  }
  if (queue.length === 0) return;
  const rest = queue.splice(0).map((r) => r.id);
  const s = stop as Stop | null;
  if (s?.kind === "unreachable") {
    // The server could not be reached: the others would fail the same way, so they wait as long.
    await markRetrying(db, rest, o.workerId, s.error, s.serverResponse, retryDelayMs(s.attempts, o));
    done(rest, "retrying");
  } else {
    // Outgoing was disabled (they wait for Test & enable), the pass's time is up, or the worker is stopping.
    await releaseEmails(db, rest, o.workerId, 0, s?.error.message);
    done(rest, "released");
  }
}

async function alertFailed(db: Db, t: OutgoingAlertTarget, recipients: (string | null)[], outboxId: number, reason: Message, detail: string): Promise<void> {
  await raiseAlert(db, {
    severity: "error",
    recipientIds: recipients,
    mailboxId: t.mailboxId,
    profileId: t.profileId ?? undefined,
    dedupKey: `outgoing:failed:${outboxId}`,
    title: msg("alerts.text.sendFailedTitle", { mailbox: t.mailboxName }),
    message: msg("alerts.text.sendFailed", nested("reason", reason)),
    detail,
  });
}

/** Who the server is told about (MAIL FROM, RCPT TO): the mailbox, and every To, Cc and Bcc recipient. */
function envelopeOf(row: OutboxEmail, from: string): { from: string; to: string[] } {
  return { from, to: [...row.toList, ...row.ccList, ...row.bccList].map((a) => a.address) };
}

/** The SMTP server's reply carried by a nodemailer error, if any. */
function serverResponseOf(err: unknown): string | null {
  const response = (err as { response?: unknown })?.response;
  return typeof response === "string" && response.trim() ? response.trim() : null;
}


