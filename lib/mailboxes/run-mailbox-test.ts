import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client";
import { mailboxes, type Mailbox } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { raiseAlert } from "../alerts/raise-alert";
import { env } from "../env";
import { AppError } from "../errors";
import { classifyMailError, type ClassifiedError } from "../mail/errors";
import type { CredentialSource, MailAuth } from "../credentials/mail-auth";
import { resolveMailAuth } from "../credentials/resolve-mail-auth";
import { testIncomingConnection, type ConnectionTestResult, type MailAuthMethod } from "../mail/test-incoming";
import { testOutgoingConnection } from "../mail/test-outgoing";
import { loadOrgSettings } from "../settings/load-org-settings";
import { mailboxConnectionOf, type MailboxConnection } from "./get-mailbox-connection";
import { msg, nested, type Message } from "../i18n/message";
import { lastErrorColumns } from "./last-error-columns";

/** The outcome of one direction: what was written to its status, and why. */
export type DirectionOutcome = {
  /** retrying: a temporary failure (the server down, a timeout) — the direction stays enabled and the worker retries. */
  status: "success" | "failure" | "retrying" | "not_run";
  /** A ClassifiedError code, or "configuration" when the settings could not even be used. */
  code: string | null;
  /** The form field at fault (e.g. "incomingPort", "userName", "password", "profileId"). */
  field: string | null;
  /** Which form holds the field. */
  form: "mailbox" | "profile" | null;
  /** For people: what happened, which setting, what to do (rendered in the reader's language). */
  message: Message;
  /** Technical detail (server replies, codes), never a password. */
  detail: string;
};

/**
 * success: every direction on server-side sync passed and is enabled.
 * failure: at least one failed (it is disabled; what passed is enabled).
 * waiting_approval: org settings process only approved mailboxes and this one is not; nothing was tested.
 * nothing_to_test: neither incoming nor outgoing uses server-side sync.
 */
export type MailboxTestOutcome = "success" | "failure" | "waiting_approval" | "nothing_to_test";

export type MailboxTestResult = {
  mailboxId: string;
  mailboxName: string;
  emailAddress: string;
  outcome: MailboxTestOutcome;
  incoming: DirectionOutcome;
  outgoing: DirectionOutcome;
  /** Appointments, contacts and tasks: never synchronised through POP3/SMTP or Gmail profiles. */
  act: "not_supported";
  incomingEnabled: boolean;
  outgoingEnabled: boolean;
  /** One line for people, e.g. for a job's per-mailbox outcome. */
  summary: Message;
};

export const WAITING_FOR_APPROVAL = msg("mailboxes.summary.waitingApproval");

export type RunMailboxTestOptions = {
  /** Runs in the transaction that records the result (a job marks its item finished here, atomically). */
  onRecorded?: (tx: Tx, result: MailboxTestResult) => Promise<void>;
};

/**
 * Test & enable for one mailbox (SPEC §3), without a privilege check: callers
 * (testAndEnableMailboxes, the job runner) have checked mailbox:test. Tests incoming
 * and outgoing access with the mailbox's effective settings and credentials, in
 * parallel; then in one transaction writes the three statuses (ACT "not supported"),
 * enables the directions that passed, clears or records the last error, and raises
 * alerts: a failure → an error alert to the mailbox owner and the profile owner; a
 * success → an information alert to the mailbox owner. Returns null when the
 * mailbox no longer exists.
 */
export async function runMailboxTest(db: Db, mailboxId: string, options: RunMailboxTestOptions = {}): Promise<MailboxTestResult | null> {
  const [m] = await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
  if (!m) return null;
  const settings = await loadOrgSettings(db);
  const base = { mailboxId: m.id, mailboxName: m.name, emailAddress: m.emailAddress, act: "not_supported" as const };

  if (settings.processOnlyApproved && !m.approvedAt) {
    const waiting = notRun(WAITING_FOR_APPROVAL);
    const result: MailboxTestResult = { ...base, outcome: "waiting_approval", incoming: waiting, outgoing: waiting, incomingEnabled: m.incomingEnabled, outgoingEnabled: m.outgoingEnabled, summary: WAITING_FOR_APPROVAL };
    if (options.onRecorded) await db.transaction((tx) => options.onRecorded!(tx, result));
    return result;
  }

  const testIn = m.incomingDelivery === "server_side_sync";
  const testOut = m.outgoingDelivery === "server_side_sync";
  if (!testIn && !testOut) {
    const why = msg("mailboxes.summary.nothingToTest");
    const result: MailboxTestResult = { ...base, outcome: "nothing_to_test", incoming: notRun(why), outgoing: notRun(why), incomingEnabled: false, outgoingEnabled: false, summary: why };
    await record(db, m, result, null, options);
    return result;
  }

  const notServerSide = (side: "incoming" | "outgoing", delivery: string) =>
    notRun(msg("mailboxes.summary.notServerSide", { sideKey: `mailboxes.summary.sideTitle.${side}`, deliveryKey: `mailboxes.delivery.${delivery}` }));
  let incoming: DirectionOutcome = notServerSide("incoming", m.incomingDelivery);
  let outgoing: DirectionOutcome = notServerSide("outgoing", m.outgoingDelivery);
  let profileOwnerId: string | null = null;
  const setup = await connectionOf(db, m);
  if ("error" in setup) {
    profileOwnerId = setup.profileOwnerId;
    if (testIn) incoming = setup.error;
    if (testOut) outgoing = setup.error;
  } else {
    const c = setup.connection;
    profileOwnerId = c.profile.ownerId;
    const timeoutMs = env().MAILROOM_MAIL_TIMEOUT_MS;
    // Each direction signs in through the credential seam; an OAuth mailbox nobody signed in for fails here, clearly.
    const signIn = (source: CredentialSource, direction: "incoming" | "outgoing", test: (auth: MailAuth) => Promise<ConnectionTestResult>) =>
      resolveMailAuth(db, source, { force: source.kind === "oauth" }).then(test, (err: unknown): ConnectionTestResult => {
        const e = direction === "incoming" ? c.incoming : c.outgoing;
        const ctx = { direction, protocol: direction === "incoming" ? c.incoming.protocol : ("smtp" as const), host: e.host, port: e.port, tls: e.tls, credentialsFrom: c.credentialsFrom, oauth: true, provider: c.profile.oauthProvider };
        return { ok: false, error: classifyMailError(err, ctx) };
      });
    const [inResult, outResult] = await Promise.all([
      testIn
        ? signIn(c.incoming.credentials, "incoming", (auth) =>
            testIncomingConnection({
              protocol: c.incoming.protocol,
              host: c.incoming.host,
              port: c.incoming.port,
              tls: c.incoming.tls,
              allowUnencrypted: c.profile.allowUnencrypted,
              authMethod: c.incoming.authMethod as MailAuthMethod,
              auth,
              ca: c.ca,
              timeoutMs,
              greetingTimeoutMs: Math.min(env().MAILROOM_GREETING_TIMEOUT_MS, timeoutMs),
              credentialsFrom: c.credentialsFrom,
            }),
          )
        : null,
      testOut
        ? signIn(c.outgoing.credentials, "outgoing", (auth) =>
          testOutgoingConnection({
            host: c.outgoing.host,
            port: c.outgoing.port,
            tls: c.outgoing.tls,
            allowUnencrypted: c.profile.allowUnencrypted,
            authMethod: c.outgoing.authMethod as MailAuthMethod,
            auth,
            ca: c.ca,
            timeoutMs,
            credentialsFrom: c.credentialsFrom,
            // getProfileConnection hands out the same object when outgoing uses the incoming credentials.
            outgoingCredentials: c.profile.outgoing.credentials === c.profile.incoming.credentials ? "same" : "separate",
          }),
          )
        : null,
    ]);
    if (inResult) incoming = outcomeOf(inResult);
    if (outResult) outgoing = outcomeOf(outResult);
  }

  const failed = [incoming, outgoing].filter((d) => notPassed(d.status));
  // Only a permanent failure disables: an outage during the test must not switch the mailbox off for good.
  const incomingEnabled = incoming.status === "success" || incoming.status === "retrying";
  const outgoingEnabled = outgoing.status === "success" || outgoing.status === "retrying";
  const summary = summaryOf(incoming, outgoing);
  const result: MailboxTestResult = { ...base, outcome: failed.length ? "failure" : "success", incoming, outgoing, incomingEnabled, outgoingEnabled, summary };
  await record(db, m, result, profileOwnerId, options);
  return result;
}

/**
 * One line for the job list and the last error: the first failed direction with
 * its cause, and what became of the other one (both causes carry their own host
 * and port, so one message holds only one of them; the test results show both).
 */
function summaryOf(incoming: DirectionOutcome, outgoing: DirectionOutcome): Message {
  const sideKey = (side: "incoming" | "outgoing") => `mailboxes.summary.sideTitle.${side}`;
  const [first, other, otherSide] = notPassed(incoming.status) ? [incoming, outgoing, "outgoing" as const] : [outgoing, incoming, "incoming" as const];
  if (notPassed(first.status)) {
    const firstSide = otherSide === "outgoing" ? "incoming" : "outgoing";
    const key = other.status === "success" ? "mailboxes.summary.failedOtherPassed" : notPassed(other.status) ? "mailboxes.summary.failedOtherFailed" : "mailboxes.summary.failed";
    return msg(key, { sideKey: sideKey(firstSide), otherKey: sideKey(otherSide), ...nested("cause", first.message) });
  }
  if (incoming.status === "success" && outgoing.status === "success") return msg("mailboxes.summary.bothPassed");
  return msg(incoming.status === "success" ? "mailboxes.summary.incomingPassed" : "mailboxes.summary.outgoingPassed");
}

function notRun(message: Message): DirectionOutcome {
  return { status: "not_run", code: null, field: null, form: null, message, detail: "" };
}

function outcomeOf(r: ConnectionTestResult): DirectionOutcome {
  if (r.ok) return { status: "success", code: null, field: null, form: null, message: msg("mailboxes.summary.passed"), detail: r.detail };
  const e: ClassifiedError = r.error;
  return { status: e.kind === "transient" ? "retrying" : "failure", code: e.code, field: e.field, form: e.form, message: e.message, detail: e.detail };
}

/** The effective settings, or the configuration problem as a failed outcome naming the field to fix. */
async function connectionOf(db: Db, m: Mailbox): Promise<{ connection: MailboxConnection } | { error: DirectionOutcome; profileOwnerId: string | null }> {
  const config = (field: string | null, form: "mailbox" | "profile" | null, message: Message, profileOwnerId: string | null = null) => ({
    error: { status: "failure" as const, code: "configuration", field, form, message, detail: "" },
    profileOwnerId,
  });
  if (!m.profileId) return config("profileId", "mailbox", msg("error.mailbox.noProfile", { mailbox: m.name }));
  const [p] = await db
    .select({ ownerId: profiles.ownerId, credentialMode: profiles.credentialMode, incomingAuthMethod: profiles.incomingAuthMethod, outgoingAuthMethod: profiles.outgoingAuthMethod })
    .from(profiles)
    .where(eq(profiles.id, m.profileId));
  const usesPassword = p && (p.incomingAuthMethod !== "xoauth2" || p.outgoingAuthMethod !== "xoauth2");
  if (p?.credentialMode === "mailbox" && usesPassword && !m.passwordSealed) {
    return config("password", "mailbox", msg("error.mailbox.noPassword", { mailbox: m.name }), p.ownerId);
  }
  try {
    return { connection: await mailboxConnectionOf(db, m) };
  } catch (err) {
    if (err instanceof AppError) return config(null, "profile", err.userMessage, p?.ownerId ?? null);
    throw err;
  }
}

async function record(db: Db, m: Mailbox, r: MailboxTestResult, profileOwnerId: string | null, options: RunMailboxTestOptions): Promise<void> {
  const firstFailure = [r.incoming, r.outgoing].find((d) => notPassed(d.status));
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx
      .update(mailboxes)
      .set({
        incomingStatus: r.incoming.status,
        outgoingStatus: r.outgoing.status,
        actStatus: "not_supported",
        incomingEnabled: r.incomingEnabled,
        outgoingEnabled: r.outgoingEnabled,
        lastTestedAt: now,
        ...lastErrorColumns(firstFailure ? r.summary : null, firstFailure?.code ?? null),
        // A passed test is a fresh start for the worker's backoff, and due at once.
        ...(r.incomingEnabled ? { consecutiveFailures: 0, firstFailureAt: null, nextSyncAt: now } : { nextSyncAt: null }),
        updatedAt: now,
      })
      .where(eq(mailboxes.id, m.id));
    for (const [direction, d] of [["incoming", r.incoming], ["outgoing", r.outgoing]] as const) {
      if (!notPassed(d.status)) continue;
      await raiseAlert(tx, {
        // Retrying: the mailbox stays enabled; a warning, not an error that asks for a change.
        severity: d.status === "retrying" ? "warning" : "error",
        recipientIds: [m.ownerId, profileOwnerId],
        mailboxId: m.id,
        profileId: m.profileId ?? undefined,
        dedupKey: `test-enable:${direction}:${d.code}:${m.id}`,
        title: msg("alerts.text.testFailedTitle", { sideKey: `common.side.${direction}`, mailbox: m.name }),
        message: d.message,
        detail: d.detail,
      });
    }
    if (r.outcome === "success") {
      await raiseAlert(tx, {
        severity: "information",
        recipientIds: [m.ownerId],
        mailboxId: m.id,
        profileId: m.profileId ?? undefined,
        dedupKey: `test-enable:success:${m.id}`,
        title: msg("alerts.text.testPassedTitle", { mailbox: m.name }),
        message: r.summary,
        detail: [r.incoming.detail, r.outgoing.detail].filter(Boolean).join("\n"),
      });
    }
    if (options.onRecorded) await options.onRecorded(tx, r);
  });
}

/** A direction that did not pass: failed for good, or failed for now (retrying). */
function notPassed(status: DirectionOutcome["status"]): boolean {
  return status === "failure" || status === "retrying";
}
