// Crash safety of sending: kill -9 worker processes at random moments while they send queued
// emails. Every email ends sent and reaches the SMTP server; an email resent because its worker
// died between the server's reply and the database write carries the same Message-ID (fixed
// at queue time) and is counted. Each kill is aimed: the victim holds leased emails in
// `sending`, and the test checks, with the victim frozen and then dead, that it still held
// them while emails remained unsent. What reached the server is the SMTP server's own list.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { queueEmail } from "../../lib/outbox/queue-email";
import { createTestDb, type TestDb } from "../harness/db";
import { startSmtpServer, type TestSmtp } from "../harness/smtp";
import { createTestPki } from "../harness/tls";
import { makeActors } from "../integration/mailboxes/fixtures";
import { enableSending, mailboxOfUser, smtpProfile } from "../integration/outbox/outbox-fixtures";
import { waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import type { Db } from "../../db/client";
import { count, expireLeasesOf, faultSeed, figure, seededRandom, settledRead, sleep, startNamedWorker, type WorkerEnv } from "./support/fault-kit";

const EMAILS = 500;
const MAX_CONNECTIONS = 4;
const KILLS = count(5, 20);

const pki = createTestPki();
const secretKey = generateSecretKey("relout");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);

let t: TestDb;
let smtp: TestSmtp;
const live: Array<{ id: string; proc: WorkerProcess }> = [];
beforeAll(async () => {
  [t, smtp] = await Promise.all([createTestDb(), startSmtpServer({ pki, users: { relay: "relay-pw" } })]);
});
afterAll(async () => {
  await Promise.all(live.splice(0).map((w) => w.proc.stop()));
  await smtp?.stop();
  await t?.close();
  vi.unstubAllEnvs();
});

/** Emails leased to a worker and being sent, and all sent rows, once a paused worker's last statements have landed. */
function settledSendingOf(db: Db, workerId: string): Promise<{ leased: number; sent: number }> {
  return settledRead(`the outbox of ${workerId}`, async () => {
    const [r] = await db.execute<{ leased: number; sent: number }>(sql`
      select count(*) filter (where lease_owner = ${workerId} and status = 'sending' and lease_expires_at > now())::int as leased,
             count(*) filter (where status = 'sent')::int as sent from outbox`);
    return { leased: r.leased, sent: r.sent };
  });
}

/** The Message-ID header of a raw message as the server received it. */
function messageIdOf(raw: Buffer): string | null {
  const head = raw.toString("latin1", 0, Math.min(raw.length, 16_384)).split(/\r?\n\r?\n/)[0];
  return /^message-id:\s*(<[^>\r\n]+>)/im.exec(head)?.[1] ?? null;
}

test(`${KILLS} kill -9s, each of a worker caught with emails in flight, while two workers send rounds of ${EMAILS} queued emails: each delivered, resends carry the same Message-ID`, async () => {
  const random = seededRandom(faultSeed + 1);
  const a = await makeActors(t.db);
  const profileId = await smtpProfile(t.db, { smtp, tls: true, maxConnections: MAX_CONNECTIONS });
  const mailboxId = await mailboxOfUser(t.db, a.member.id);
  await enableSending(t.db, mailboxId, profileId, { user: "relay", password: "relay-pw" });
  const queued = new Set<string>();
  // Emails are queued in rounds of EMAILS; a new round comes when the last one is sent and
  // kills remain, so every kill lands while emails are being sent.
  let total = 0;
  const queueRound = async () => {
    for (let i = total; i < total + EMAILS; i++) {
      const q = await queueEmail(t.db, a.member, { mailboxId, to: `rcpt${i}@example.net`, subject: `Crash-safe send ${i}`, body: `Email ${i}\n${"Body text. ".repeat(200)}` });
      queued.add(q.messageId);
    }
    total += EMAILS;
  };
  await queueRound();
  const sent = async () => {
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from outbox where status = 'sent'`);
    return n;
  };

  const env: WorkerEnv = { databaseUrl: t.url, secretKey, caFile: pki.caFile };
  const started = Date.now();
  live.push(await startNamedWorker(env), await startNamedWorker(env));
  // At random moments (0.1–1 s apart) aim a kill: pick a live worker holding leased emails in
  // `sending`, freeze it (SIGSTOP), read what it holds once its last statements have landed,
  // and kill -9 it only if emails are still in flight; otherwise let it run on. Never twice
  // without an email sent in between. Then its leases run out and a replacement starts.
  const kills: string[] = [];
  let misses = 0;
  let sentAtLastKill = 0;
  await waitFor("the first email sent", async () => smtp.received.length > 0, 60_000);
  while (kills.length < KILLS) {
    await sleep(100 + random() * 900);
    const done = await sent();
    if (done >= total) {
      await queueRound();
      continue;
    }
    if (done <= sentAtLastKill) continue;
    const holders = await t.db.execute<{ owner: string }>(sql`select distinct lease_owner as owner from outbox where status = 'sending' and lease_expires_at > now()`);
    const busy = live.filter((w) => holders.some((h) => h.owner === w.id));
    if (busy.length === 0) continue;
    const victim = busy[Math.floor(random() * busy.length)];
    victim.proc.pause();
    const before = await settledSendingOf(t.db, victim.id);
    if (before.leased === 0 || before.sent >= total) {
      victim.proc.resume(); // it finished its claim between the look and the freeze
      expect(++misses, "aimed kills that found the worker done").toBeLessThan(KILLS * 5);
      continue;
    }
    live.splice(live.indexOf(victim), 1);
    victim.proc.kill9();
    expect((await victim.proc.exited).signal).toBe("SIGKILL");
    // Landed mid-send: the dead worker still holds its leased emails, and some remain unsent.
    const after = await settledSendingOf(t.db, victim.id);
    expect(after, "the victim held emails in flight when it died").toEqual(before);
    expect(after.sent).toBeLessThan(total);
    sentAtLastKill = after.sent;
    kills.push(`${after.leased} leased, ${after.sent}/${total} sent, ${smtp.received.length} received`);
    await expireLeasesOf(t.db, victim.id);
    live.push(await startNamedWorker(env));
  }
  await waitFor("every email sent", async () => (await sent()) === total, 180_000);
  const seconds = (Date.now() - started) / 1000;

  const [states] = await t.db.execute<{ queued: number; sending: number; failed: number }>(sql`
    select count(*) filter (where status = 'queued')::int as queued, count(*) filter (where status = 'sending')::int as sending,
           count(*) filter (where status = 'failed')::int as failed from outbox`);
  expect(states).toEqual({ queued: 0, sending: 0, failed: 0 });
  const perId = new Map<string, number>();
  const foreign: string[] = [];
  for (const r of smtp.received) {
    const id = messageIdOf(r.raw);
    if (!id || !queued.has(id)) foreign.push(String(id));
    else perId.set(id, (perId.get(id) ?? 0) + 1);
  }
  const resends = [...perId.values()].reduce((n, c) => n + c - 1, 0);
  figure("kill-outbox", `seed ${faultSeed + 1}; ${kills.length} kill -9s, each with emails in flight (${kills.join("; ")}), ${misses} aimed kills not fired; ${total} queued in ${total / EMAILS} rounds; ` +
    `${perId.size}/${total} delivered, ${smtp.received.length} SMTP deliveries, ${resends} resends (each with its queued Message-ID), ${foreign.length} with another Message-ID; ${seconds.toFixed(1)} s`);
  expect(foreign, "every delivery carries the Message-ID fixed when it was queued").toEqual([]);
  expect(perId.size, "every queued email delivered").toBe(total);
  // A resend needs a kill between the server's reply and the database write, which is one
  // statement issued the moment the server answers: at most one email per SMTP session
  // (the profile allows MAX_CONNECTIONS) at each kill.
  expect(resends).toBeLessThanOrEqual(kills.length * MAX_CONNECTIONS);
}, 300_000);
