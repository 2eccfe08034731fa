import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { users } from "../../db/schema/users";
import { sealSecret } from "../../lib/crypto/seal-secret";

/*
 * The rows a benchmark needs, written straight to the schema (as the app's forms would leave
 * them), so the benchmarks depend on the database contract and not on the sync/outbox code.
 */

let n = 0;
const unique = () => `${process.pid.toString(36)}${Date.now().toString(36)}${(++n).toString(36)}`;

export async function insertUser(db: Db, role: "admin" | "member" = "member", passwordHash = "not-used"): Promise<{ id: string; email: string }> {
  const email = `bench.${unique()}@example.com`;
  const [u] = await db.insert(users).values({ email, name: `Bench ${role}`, role, passwordHash }).returning({ id: users.id });
  return { id: u.id, email };
}

export type IncomingProfile = {
  ownerId: string;
  protocol: "imap" | "pop3";
  port: number;
  /** Minutes between syncs of one mailbox. */
  intervalMinutes?: number;
  maxConnections?: number;
};

/** A profile for incoming mail over implicit TLS (IMAPS / POP3S) to 127.0.0.1, credentials per mailbox. */
export async function insertIncomingProfile(db: Db, p: IncomingProfile): Promise<string> {
  const [row] = await db
    .insert(profiles)
    .values({
      name: `bench ${p.protocol} ${unique()}`,
      ownerId: p.ownerId,
      serverType: "pop3smtp",
      incomingProtocol: p.protocol,
      incomingHost: "127.0.0.1",
      outgoingHost: "127.0.0.1",
      incomingPort: p.port,
      outgoingPort: 465,
      incomingTls: true,
      credentialMode: "mailbox",
      processEmailFrom: new Date("2000-01-01T00:00:00Z"),
      minPollingIntervalMinutes: p.intervalMinutes ?? 5,
      maxConnections: p.maxConnections ?? 10,
    })
    .returning({ id: profiles.id });
  return row.id;
}

/** A profile whose outgoing side is an SMTP server on 127.0.0.1 (implicit TLS), credentials in the profile. */
export async function insertSmtpProfile(db: Db, p: { ownerId: string; port: number; user: string; password: string; maxConnections: number }): Promise<string> {
  const [row] = await db
    .insert(profiles)
    .values({
      name: `bench smtp ${unique()}`,
      ownerId: p.ownerId,
      serverType: "pop3smtp",
      incomingProtocol: "imap",
      incomingHost: "127.0.0.1",
      outgoingHost: "127.0.0.1",
      incomingPort: 993,
      outgoingPort: p.port,
      incomingTls: true,
      outgoingTls: true,
      credentialMode: "profile",
      userName: p.user,
      passwordSealed: sealSecret(p.password, null),
      maxConnections: p.maxConnections,
    })
    .returning({ id: profiles.id });
  return row.id;
}

export type MailboxSpec = { profileId: string; ownerId: string; user?: string; password?: string; nextSyncAt?: Date | null; incoming?: boolean; outgoing?: boolean };

/** Queue mailboxes, approved, incoming (and/or outgoing) enabled; inserted in chunks. */
export async function insertMailboxes(db: Db, specs: MailboxSpec[]): Promise<string[]> {
  const ids: string[] = [];
  const sealed = new Map<string, string>();
  for (let i = 0; i < specs.length; i += 500) {
    const chunk = specs.slice(i, i + 500).map((s) => {
      const id = unique();
      let passwordSealed: string | null = null;
      if (s.password) {
        passwordSealed = sealed.get(s.password) ?? sealSecret(s.password, null);
        sealed.set(s.password, passwordSealed);
      }
      const incoming = s.incoming ?? true;
      return {
        kind: "queue" as const,
        name: `Bench queue ${id}`,
        emailAddress: `${s.user ?? "queue"}.${id}@example.com`,
        ownerId: s.ownerId,
        profileId: s.profileId,
        incomingDelivery: incoming ? ("server_side_sync" as const) : undefined,
        incomingEnabled: incoming,
        incomingStatus: incoming ? ("success" as const) : undefined,
        outgoingDelivery: s.outgoing ? ("server_side_sync" as const) : undefined,
        outgoingEnabled: s.outgoing ?? false,
        outgoingStatus: s.outgoing ? ("success" as const) : undefined,
        userName: s.user ?? null,
        passwordSealed,
        approvedAt: new Date(),
        nextSyncAt: s.nextSyncAt === undefined ? new Date(Date.now() + 365 * 86400_000) : s.nextSyncAt,
      };
    });
    const rows = await db.insert(mailboxes).values(chunk).returning({ id: mailboxes.id });
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/**
 * Records, in the benchmark's own database, when each mailbox is claimed (its lease taken
 * while it had none or an expired one) and when each sync is recorded (last_sync_at changes),
 * with clock_timestamp(): the worker is observed without changing it. Adds one small insert
 * to each claim and sync commit.
 */
export async function installSyncProbe(db: Db): Promise<void> {
  await db.execute(sql`
    create table bench_events (
      kind text not null, mailbox_id uuid not null, due timestamptz, at timestamptz not null default clock_timestamp())`);
  await db.execute(sql`
    create function bench_probe() returns trigger language plpgsql as $$
    begin
      if new.lease_owner is not null and (old.lease_owner is null or old.lease_expires_at is null or old.lease_expires_at < clock_timestamp()) then
        insert into bench_events (kind, mailbox_id, due) values ('claim', new.id, old.next_sync_at);
      end if;
      if new.last_sync_at is distinct from old.last_sync_at then
        insert into bench_events (kind, mailbox_id, due) values ('synced', new.id, new.next_sync_at);
      end if;
      return new;
    end $$`);
  await db.execute(sql`create trigger bench_probe after update on mailboxes for each row execute function bench_probe()`);
}

export type ProbeEvent = { kind: "claim" | "synced"; mailboxId: string; due: Date | null; at: Date };

export async function probeEvents(db: Db, mailboxId?: string): Promise<ProbeEvent[]> {
  const rows = await db.execute<{ kind: "claim" | "synced"; mailbox_id: string; due: string | null; at: string }>(
    mailboxId ? sql`select kind, mailbox_id, due, at from bench_events where mailbox_id = ${mailboxId} order by at` : sql`select kind, mailbox_id, due, at from bench_events order by at`,
  );
  return rows.map((r) => ({ kind: r.kind, mailboxId: r.mailbox_id, due: r.due ? new Date(r.due) : null, at: new Date(r.at) }));
}

export async function countEmails(db: Db, mailboxId?: string): Promise<number> {
  const [r] = await db.execute<{ n: number }>(
    mailboxId ? sql`select count(*)::int as n from emails where mailbox_id = ${mailboxId}` : sql`select count(*)::int as n from emails`,
  );
  return r.n;
}
