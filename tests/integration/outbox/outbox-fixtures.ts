import { eq } from "drizzle-orm";
import { simpleParser, type ParsedMail } from "mailparser";
import type { Db } from "../../../db/client";
import { alerts } from "../../../db/schema/alerts";
import { mailboxes } from "../../../db/schema/mailboxes";
import { outbox } from "../../../db/schema/outbox";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { resolveSendOptions, type SendOptions } from "../../../lib/outbox/send-options";
import type { TestSmtp } from "../../harness/smtp";
import { makeProfile } from "../mailboxes/fixtures";

export type SmtpSide = { smtp: TestSmtp; tls?: boolean; port?: number; maxConnections?: number; ownerId?: string | null };

/** A profile whose outgoing side is the test SMTP server; credentials per mailbox. */
export async function smtpProfile(db: Db, s: SmtpSide & { credentials?: { user: string; password: string } }): Promise<string> {
  const tls = s.tls ?? false;
  return makeProfile(db, {
    outgoingHost: s.smtp.host,
    outgoingPort: s.port ?? (tls ? s.smtp.ports.tls : s.smtp.ports.starttls),
    outgoingTls: tls,
    maxConnections: s.maxConnections ?? 10,
    ownerId: s.ownerId ?? null,
    ...(s.credentials ? { credentialMode: "profile" as const, userName: s.credentials.user, password: s.credentials.password } : {}),
  });
}

/** Points `mailboxId` at `profileId` with outgoing by server-side sync, enabled and approved, with its own credentials when given. */
export async function enableSending(db: Db, mailboxId: string, profileId: string, credentials?: { user: string; password: string }): Promise<void> {
  await db
    .update(mailboxes)
    .set({
      profileId,
      outgoingDelivery: "server_side_sync",
      outgoingEnabled: true,
      outgoingStatus: "success",
      approvedAt: new Date(),
      userName: credentials?.user ?? null,
      passwordSealed: credentials ? sealSecret(credentials.password, null) : null,
    })
    .where(eq(mailboxes.id, mailboxId));
}

export async function mailboxOfUser(db: Db, userId: string): Promise<string> {
  const [m] = await db.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.userId, userId));
  return m.id;
}

export async function outboxRow(db: Db, id: number) {
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
  return row;
}

export async function alertsFor(db: Db, recipientId: string) {
  return db.select().from(alerts).where(eq(alerts.recipientId, recipientId));
}

/** Send options for in-process tests: real timeouts, tiny backoff, no jitter. */
export function testSendOptions(workerId: string, o: Partial<SendOptions> = {}): SendOptions {
  return resolveSendOptions({ workerId, mailTimeoutMs: 10_000, retryBaseMs: 1, retryCapMs: 10, random: () => 0, ...o });
}

/** The message the SMTP server received with this Message-ID, parsed; fails when there is not exactly one. */
export async function receivedOnce(smtp: TestSmtp, messageId: string): Promise<{ parsed: ParsedMail; raw: Buffer; to: string[]; from: string; user?: string }> {
  const matches = [];
  for (const r of smtp.received) {
    const parsed = await simpleParser(r.raw);
    if (parsed.messageId === messageId) matches.push({ parsed, raw: r.raw, to: r.to, from: r.from, user: r.user });
  }
  if (matches.length !== 1) throw new Error(`expected one message ${messageId} on the server, found ${matches.length}`);
  return matches[0];
}
