// 500 queued emails, two worker processes (the real `workers/index.ts`) sending
// them against the test SMTP server: each is delivered exactly once, counted by
// Message-ID on the server. Prints the send rate.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, inject, test, vi } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { queueEmail } from "../../../lib/outbox/queue-email";
import { createTestDb, type TestDb } from "../../harness/db";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { startCountingProxy, type CountingProxy } from "../../harness/tcp";
import { createTestPki, type TestPki } from "../../harness/tls";
import { makeActors, type Actors } from "../mailboxes/fixtures";
import { enableSending, mailboxOfUser, smtpProfile } from "./outbox-fixtures";

const COUNT = 500;
const MAX_CONNECTIONS = 10;
const secretKey = generateSecretKey("test");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);

const root = path.resolve(import.meta.dirname, "../../..");
let t: TestDb;
let a: Actors;
let pki: TestPki;
let smtp: TestSmtp;
let proxy: CountingProxy;
const children: ChildProcess[] = [];

beforeAll(async () => {
  pki = createTestPki();
  smtp = await startSmtpServer({ pki, users: { relay: "relay-pw" } });
  proxy = await startCountingProxy({ host: smtp.host, port: smtp.ports.tls });
  t = await createTestDb();
  a = await makeActors(t.db);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await proxy?.stop();
  await smtp?.stop();
  await t?.close();
  vi.unstubAllEnvs();
});

function startWorker(id: string): ChildProcess {
  const child = spawn(process.execPath, [inject("workerEntry")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t.url, MAILROOM_SECRET_KEY: secretKey, MAILROOM_EXTRA_CA_FILE: pki.caFile, MAILROOM_WORKER_ID: id, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.resume();
  child.stderr!.on("data", (d: Buffer) => process.stderr.write(`[${id}] ${d}`));
  children.push(child);
  return child;
}

function stopWorker(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

test(`${COUNT} queued emails, two worker processes: each delivered exactly once, within the connection budget`, { timeout: 240_000 }, async () => {
  // Profile credentials: both workers draw on one budget of MAX_CONNECTIONS (implicit TLS, through a counting proxy).
  const profileId = await smtpProfile(t.db, { smtp, tls: true, port: proxy.port, maxConnections: MAX_CONNECTIONS, credentials: { user: "relay", password: "relay-pw" } });
  const mailboxId = await mailboxOfUser(t.db, a.member.id);
  await enableSending(t.db, mailboxId, profileId);
  const messageIds = new Set<string>();
  for (let i = 0; i < COUNT; i++) {
    const q = await queueEmail(t.db, a.member, { mailboxId, to: `r${i % 7}@example.org`, cc: i % 3 === 0 ? "cc@example.org" : "", subject: `Bulk ${i}`, body: `Message number ${i}.` });
    messageIds.add(q.messageId);
  }

  const started = Date.now();
  const workers = [startWorker("outbox-a"), startWorker("outbox-b")];
  const deadline = started + 200_000;
  let sent = 0;
  while (Date.now() < deadline) {
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from outbox where status = 'sent'`);
    sent = n;
    if (sent === COUNT) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (Date.now() - started) / 1000;
  // Graceful stop: both exit cleanly.
  expect(await Promise.all(workers.map(stopWorker))).toEqual([0, 0]);
  expect(sent).toBe(COUNT);

  const byId = new Map<string, number>();
  for (const r of smtp.received) {
    const id = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(r.raw.toString("latin1"))?.[1] ?? "none";
    byId.set(id, (byId.get(id) ?? 0) + 1);
  }
  expect(smtp.received).toHaveLength(COUNT);
  expect([...byId.values()].every((n) => n === 1)).toBe(true);
  expect(new Set(byId.keys())).toEqual(messageIds);
  expect(proxy.maxConcurrent).toBeLessThanOrEqual(MAX_CONNECTIONS);

  const [retried] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from outbox where attempts <> 1`);
  console.log(
    `[outbox] ${COUNT} emails, 2 workers, max ${MAX_CONNECTIONS} connections: ${seconds.toFixed(1)} s, ${(COUNT / seconds).toFixed(1)} emails/s; ` +
      `peak ${proxy.maxConcurrent} concurrent SMTP connections, ${smtp.authCount} sign-ins; emails needing more than one attempt: ${retried.n}`,
  );
});
