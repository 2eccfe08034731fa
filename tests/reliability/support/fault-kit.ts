// Shared kit of the reliability suites: soak-aware counts, real worker processes with
// known ids, the "a dead worker's leases run out" step, what a worker holds, the servers'
// own message counts, and figure lines for RELIABILITY.md.
import { sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import type { Db } from "../../../db/client";
import { connectPop3 } from "../../../lib/mail/pop3";
import type { Dovecot } from "../../harness/dovecot";
import { startWorker, type WorkerProcess } from "../../integration/sync/worker-process";

/** MAILROOM_SOAK=1 (npm run test:soak) raises the counts; CI keeps them modest. */
export const soak = process.env.MAILROOM_SOAK === "1";

/** `ci` in `npm test`, `heavy` under MAILROOM_SOAK=1. */
export function count(ci: number, heavy: number): number {
  return soak ? heavy : ci;
}

/** A small seeded PRNG (mulberry32) so a failing run can be replayed with MAILROOM_FAULT_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: MAILROOM_FAULT_SEED or the clock (printed with the figures). */
export const faultSeed = Number(process.env.MAILROOM_FAULT_SEED) || Date.now() % 1_000_000;

/** Prints one figure line; RELIABILITY.md quotes these. */
export function figure(suite: string, text: string): void {
  console.log(`[figure] ${suite}: ${text}`);
}

export type WorkerEnv = { databaseUrl: string; secretKey: string; caFile: string; extra?: Record<string, string> };

let workerCounter = 0;

/** A named worker process (MAILROOM_WORKER_ID), so its leases can be found after a kill -9. */
export async function startNamedWorker(e: WorkerEnv, name = `w${++workerCounter}-${process.pid}`): Promise<{ id: string; proc: WorkerProcess }> {
  const proc = await startWorker({
    DATABASE_URL: e.databaseUrl,
    MAILROOM_SECRET_KEY: e.secretKey,
    MAILROOM_EXTRA_CA_FILE: e.caFile,
    MAILROOM_WORKER_ID: name,
    LOG_LEVEL: "info",
    ...e.extra,
  });
  return { id: name, proc };
}

/**
 * Time travel for a dead worker: its mailbox, outbox and job leases and its connection slots
 * expire now instead of after the 5-minute lease, exactly as they would once that much time
 * had passed. Touches only rows leased to `workerId`.
 */
export async function expireLeasesOf(db: Db, workerId: string): Promise<void> {
  await db.execute(sql`update mailboxes set lease_expires_at = now() - interval '1 second' where lease_owner = ${workerId}`);
  await db.execute(sql`update outbox set lease_expires_at = now() - interval '1 second' where lease_owner = ${workerId}`);
  await db.execute(sql`update jobs set lease_expires_at = now() - interval '1 second' where lease_owner = ${workerId}`);
  await db.execute(sql`update connection_slots set expires_at = now() - interval '1 second' where owner = ${workerId} or owner like ${workerId + "/%"}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A mailbox on the test Dovecot, as the fault suites see it from outside. */
export type ServerBox = { id: string; protocol: "imap" | "pop3"; user: string; password: string };

/**
 * How many messages the server holds for a box: IMAP `SEARCH ALL` over IMAPS, POP3 `STAT`
 * over POP3S. The expected counts of a suite come from here, not from its own delivery loop.
 */
export async function serverMessageCount(dovecot: Dovecot, box: ServerBox): Promise<number> {
  if (box.protocol === "pop3") {
    const pop3 = await connectPop3({ host: dovecot.host, port: dovecot.ports.pop3s, tls: "implicit", ca: dovecot.pki.caPem, timeoutMs: 10_000 });
    try {
      await pop3.login(box.user, box.password);
      return (await pop3.stat()).count;
    } finally {
      await pop3.quit().catch(() => pop3.close());
    }
  }
  const imap = new ImapFlow({ host: dovecot.host, port: dovecot.ports.imaps, secure: true, tls: { ca: dovecot.pki.caPem }, auth: { user: box.user, pass: box.password }, logger: false });
  imap.on("error", () => {});
  await imap.connect();
  try {
    const lock = await imap.getMailboxLock("INBOX", { readOnly: true });
    try {
      const uids = await imap.search({ all: true }, { uid: true });
      return Array.isArray(uids) ? uids.length : 0;
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout().catch(() => imap.close());
  }
}

/** What one worker holds: each mailbox leased to it, with the rows stored so far. */
export type Holding = Array<{ mailboxId: string; stored: number }>;

async function incomingHeldBy(db: Db, workerId: string): Promise<Holding> {
  const rows = await db.execute<{ mailbox_id: string; stored: number }>(sql`
    select m.id as mailbox_id, (select count(*)::int from emails e where e.mailbox_id = m.id) as stored
      from mailboxes m where m.lease_owner = ${workerId} and m.lease_expires_at > now() order by m.id`);
  return rows.map((r) => ({ mailboxId: r.mailbox_id, stored: r.stored }));
}

/**
 * A read of what a paused worker left, once its last statements have landed (a statement it
 * sent before SIGSTOP still completes): two equal reads 150 ms apart.
 */
export async function settledRead<T>(what: string, read: () => Promise<T>): Promise<T> {
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await sleep(150);
    const now = await read();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error(`${what} kept changing while its worker was paused`);
}

/** What a paused worker holds for incoming sync (settledRead). */
export function settledIncomingHeldBy(db: Db, workerId: string): Promise<Holding> {
  return settledRead(`the leases of ${workerId}`, () => incomingHeldBy(db, workerId));
}

/** The leases of incoming sync right now: worker id → mailboxes it holds. */
export async function incomingLeaseOwners(db: Db): Promise<Map<string, Holding>> {
  const rows = await db.execute<{ owner: string; mailbox_id: string; stored: number }>(sql`
    select m.lease_owner as owner, m.id as mailbox_id, (select count(*)::int from emails e where e.mailbox_id = m.id) as stored
      from mailboxes m where m.lease_owner is not null and m.lease_expires_at > now()`);
  const owners = new Map<string, Holding>();
  for (const r of rows) owners.set(r.owner, [...(owners.get(r.owner) ?? []), { mailboxId: r.mailbox_id, stored: r.stored }]);
  return owners;
}
