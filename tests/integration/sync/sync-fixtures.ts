import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { users } from "../../../db/schema/users";
import { sealSecret } from "../../../lib/crypto/seal-secret";
import { resolveSyncOptions, type SyncOptions } from "../../../lib/sync/sync-options";
import type { Dovecot } from "../../harness/dovecot";

let userCounter = 0;

/** A user row to own mailboxes and profiles (and receive their alerts). */
export async function insertUser(db: Db, name = "owner"): Promise<string> {
  const [u] = await db
    .insert(users)
    .values({ email: `${name}${++userCounter}-${Date.now()}@example.com`, name, passwordHash: "x", role: "member" })
    .returning({ id: users.id });
  return u.id;
}

export type ProfileSpec = {
  dovecot: Dovecot;
  protocol: "imap" | "pop3";
  ownerId: string;
  /** Implicit TLS (IMAPS/POP3S) or plain port with STARTTLS/STLS. Default true. */
  tls?: boolean;
  processEmailFrom?: Date;
  maxConnections?: number;
  /** Credentials in the profile (shared by its mailboxes) instead of per mailbox. */
  credentials?: { user: string; password: string };
  /** Override the port (e.g. a counting proxy). */
  port?: number;
};

/** A server profile pointing at the test Dovecot. */
export async function insertProfile(db: Db, s: ProfileSpec): Promise<string> {
  const tls = s.tls ?? true;
  const port = s.port ?? (s.protocol === "imap" ? (tls ? s.dovecot.ports.imaps : s.dovecot.ports.imap) : tls ? s.dovecot.ports.pop3s : s.dovecot.ports.pop3);
  const [p] = await db
    .insert(profiles)
    .values({
      name: `profile ${++userCounter} ${Math.random().toString(36).slice(2, 8)}`,
      ownerId: s.ownerId,
      serverType: "pop3smtp",
      incomingProtocol: s.protocol,
      incomingHost: "127.0.0.1",
      outgoingHost: "127.0.0.1",
      credentialMode: s.credentials ? "profile" : "mailbox",
      userName: s.credentials?.user ?? null,
      passwordSealed: s.credentials ? sealSecret(s.credentials.password, null) : null,
      incomingPort: port,
      outgoingPort: 465,
      incomingTls: tls,
      processEmailFrom: s.processEmailFrom ?? new Date("2000-01-01T00:00:00Z"),
      minPollingIntervalMinutes: 1,
      maxConnections: s.maxConnections ?? 10,
    })
    .returning({ id: profiles.id });
  return p.id;
}

/** An enabled, approved queue mailbox on `profileId`, due now. */
export async function insertMailbox(db: Db, s: { profileId: string; ownerId: string; user?: string; password?: string; name?: string }): Promise<string> {
  const [m] = await db
    .insert(mailboxes)
    .values({
      kind: "queue",
      name: s.name ?? `box ${++userCounter}`,
      emailAddress: `${s.user ?? "shared"}@example.com`,
      ownerId: s.ownerId,
      profileId: s.profileId,
      incomingDelivery: "server_side_sync",
      userName: s.user ?? null,
      passwordSealed: s.password ? sealSecret(s.password, null) : null,
      approvedAt: new Date(),
      incomingEnabled: true,
      incomingStatus: "success",
      nextSyncAt: new Date(Date.now() - 1000),
    })
    .returning({ id: mailboxes.id });
  return m.id;
}

/** Makes a mailbox due now (as "sync now" would), so a test does not wait for the polling interval. */
export async function makeDue(db: Db, mailboxId: string): Promise<void> {
  await db.execute(sql`update mailboxes set next_sync_at = now() - interval '1 second' where id = ${mailboxId}`);
}

/** Sync options for in-process tests: short lease and budget, real timeouts. */
export function testSyncOptions(workerId: string, o: Partial<SyncOptions> = {}): SyncOptions {
  return resolveSyncOptions({ workerId, leaseMs: 60_000, budgetMs: 50_000, mailTimeoutMs: 10_000, random: () => 0.5, ...o });
}

/** A plain test message numbered `i`, with a Message-ID, Date, addresses and a body. */
export function testMessage(i: number, o: { tag?: string; date?: Date; body?: string } = {}): string {
  const tag = o.tag ?? "t";
  const date = (o.date ?? new Date(Date.UTC(2026, 0, 1) + i * 60_000)).toUTCString();
  return [
    `From: "Sender ${i}" <sender${i}@example.org>`,
    `To: Alice <alice@example.com>, bob@example.com`,
    `Cc: carol@example.com`,
    `Reply-To: replies@example.org`,
    `Subject: ${tag} message ${i}`,
    `Date: ${date}`,
    `Message-ID: <${tag}.${i}@example.org>`,
    `In-Reply-To: <${tag}.${i - 1}@example.org>`,
    `References: <${tag}.0@example.org> <${tag}.${i - 1}@example.org>`,
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    o.body ?? `Hello ${i}, this is message number ${i}.`,
    ``,
  ].join("\r\n");
}

/**
 * Counts of the stored mail of a mailbox: rows, distinct Message-IDs, rows with their raw
 * source. (Distinct source keys are not counted: a unique index makes them equal to rows.)
 */
export async function storedCounts(db: Db, mailboxId: string): Promise<{ rows: number; ids: number; sources: number }> {
  const [r] = await db.execute<{ rows: number; ids: number; sources: number }>(sql`
    select count(*)::int as rows, count(distinct message_id)::int as ids,
           (select count(*)::int from email_sources s join emails e2 on e2.id = s.email_id where e2.mailbox_id = ${mailboxId}) as sources
      from emails where mailbox_id = ${mailboxId}`);
  return r;
}
