import { timingSafeEqual } from "node:crypto";
import { eq, and } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emails } from "../../db/schema/emails";
import { mailboxes } from "../../db/schema/mailboxes";
import { isUuid } from "../is-uuid";
import { log } from "../log";
import { hashSource, parseMessage } from "../mail/parse-message";
import { publishWebMetrics } from "../metrics/publish-web-metrics";
import { recordSyncRun } from "../sync/record-sync-run";
import { storeMessages } from "../sync/store-messages";
import { hashIngestToken } from "./hash-ingest-token";
import { IngestRefusal } from "./ingest-refusal";

export type IngestInput = {
  mailboxId: string;
  /** The bearer token sent with the request (null when none). */
  token: string | null;
  /**
   * Reads the raw message, refusing (IngestRefusal "too_large") past `limit`
   * bytes. Called only once the caller is authorised, so a stranger cannot make
   * the server read a large body.
   */
  readBody: (limit: number) => Promise<Buffer>;
  /** MAILROOM_MAX_MESSAGE_BYTES: the same limit as sync. */
  maxMessageBytes: number;
};

/**
 * The stored message: its id, whether it was there already, its conversation and how
 * it was matched, and whether it is automatic mail (auto_reply, auto_generated, bulk,
 * bounce — so a router or help desk on the other side need not answer it).
 */
export type IngestResult = { id: number; duplicate: boolean; threadId: string | null; threadMethod: string | null; automatic: string | null; bounced: string[] };

/**
 * Stores one raw RFC 5322 message handed in by an email router for a mailbox
 * whose incoming delivery is "email router", through the same exactly-once store
 * as sync (storeMessages) with source key `router:<sha256 of the source>`: the
 * same message handed in twice is stored once and both calls get its id. Refused
 * with a code, storing nothing: no or a wrong token (checked in constant time
 * against the stored hash), an unknown or non-router mailbox, a body over the
 * size limit, a body that is not a message (no header section with From:).
 */
export async function ingestMessage(db: Db, input: IngestInput): Promise<IngestResult> {
  const [m] = isUuid(input.mailboxId)
    ? await db
        .select({ id: mailboxes.id, ownerId: mailboxes.ownerId, profileId: mailboxes.profileId, delivery: mailboxes.incomingDelivery, tokenHash: mailboxes.ingestTokenHash })
        .from(mailboxes)
        .where(eq(mailboxes.id, input.mailboxId))
    : [];
  if (!m) throw new IngestRefusal("unknown_mailbox");
  if (!m.tokenHash || !input.token || !sameHash(hashIngestToken(input.token), m.tokenHash)) throw new IngestRefusal("bad_token");
  if (m.delivery !== "email_router") throw new IngestRefusal("not_router");

  const raw = await input.readBody(input.maxMessageBytes);
  if (raw.length > input.maxMessageBytes) throw new IngestRefusal("too_large", { max: input.maxMessageBytes });
  if (!HEADER_FIELD.test(raw.subarray(0, 1000).toString("latin1"))) throw new IngestRefusal("not_a_message");
  const parsed = await parseMessage(raw);
  if (!parsed.from) throw new IngestRefusal("not_a_message");

  const startedAt = new Date();
  const contentHash = hashSource(raw);
  const sourceKey = `router:${contentHash}`;
  const result = await storeMessages(db, {
    mailboxId: m.id,
    workerId: null,
    leaseMs: 0,
    // Handed in now: the router's own latency is not ours to measure.
    messages: [{ sourceKey, raw, sizeBytes: raw.length, oversized: false, contentHash, parsed, arrivedAt: parsed.receivedAt ?? startedAt }],
    cursor: {},
    maxMessageBytes: input.maxMessageBytes,
    alertRecipientIds: [m.ownerId],
    profileId: m.profileId ?? undefined,
  });
  const [row] = await db
    .select({ id: emails.id, threadId: emails.threadId, threadMethod: emails.threadMethod, automatic: emails.autoKind, bounced: emails.bouncedAddresses })
    .from(emails)
    .where(and(eq(emails.mailboxId, m.id), eq(emails.sourceKey, sourceKey)));
  await recordSyncRun(db, {
    mailboxId: m.id,
    profileId: m.profileId,
    protocol: "router",
    workerId: "ingest",
    result: "synced",
    errorCode: null,
    stored: result.inserted,
    dueAt: null,
    startedAt,
    finishedAt: new Date(),
    // The message is stored: a missed dashboard row must not make the router hand it in again.
  }).catch((err) => log("warn", "could not record the ingest run (the dashboard misses it)", { mailboxId: m.id, err }));
  await publishWebMetrics(db).catch((err) => log("warn", "could not publish the web process's counters", { err }));
  return { id: row.id, duplicate: result.inserted === 0, threadId: row.threadId, threadMethod: row.threadMethod, automatic: row.automatic, bounced: row.bounced ?? [] };
}

/** A header field at the very start: a name of printable characters but ":" and space, then ":". */
const HEADER_FIELD = /^[\x21-\x39\x3b-\x7e]+:/;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
