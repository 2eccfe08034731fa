// "Test & enable all mailboxes of a profile" as a background job (SPEC §3): 50
// mailboxes against the real Dovecot and SMTP server, run by the job runner, once
// in-process and once as child processes with one SIGKILLed half-way.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { jobs } from "../../../db/schema/jobs";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { enqueueTestAllJob } from "../../../lib/jobs/enqueue-test-all-job";
import { findLatestProfileJob } from "../../../lib/jobs/find-latest-profile-job";
import { getJobProgress } from "../../../lib/jobs/get-job-progress";
import { runNextJob } from "../../../lib/jobs/run-next-job";
import { createTestDb, type TestDb } from "../../harness/db";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { makeActors, mailboxRow, makeMailbox, makeProfile, type Actors } from "../mailboxes/fixtures";
import { refusedInEnglish } from "../../harness/english";
import { english } from "../../harness/english";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
vi.stubEnv("MAILROOM_MAIL_TIMEOUT_MS", "5000");

const root = path.resolve(import.meta.dirname, "../../..");
const COUNT = 50;
/** Every fifth mailbox has a wrong password. */
const isWrong = (i: number) => i % 5 === 4;

let t: TestDb;
let a: Actors;
let dovecot: Dovecot;
let smtp: TestSmtp;
let dovecotLog: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dovecot = await startDovecot();
  vi.stubEnv("MAILROOM_EXTRA_CA_FILE", dovecot.pki.caFile);
  const smtpUsers: Record<string, string> = {};
  for (const set of ["a", "b"]) {
    for (let i = 0; i < COUNT; i++) {
      await dovecot.addUser(user(set, i), `pw-${user(set, i)}`);
      smtpUsers[user(set, i)] = `pw-${user(set, i)}`;
    }
  }
  smtp = await startSmtpServer({ pki: dovecot.pki, users: smtpUsers });
  dovecotLog = findDovecotLog(dovecot);
  t = await createTestDb();
  a = await makeActors(t.db);
}, 180_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await smtp?.stop();
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

function user(set: string, i: number) {
  return `${set}${String(i).padStart(2, "0")}`;
}

/** The harness keeps Dovecot's log in its temp folder; find the one whose config has our ports. */
function findDovecotLog(d: Dovecot): string {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith("mailroom-dovecot-")) continue;
    const conf = path.join(os.tmpdir(), name, "dovecot.conf");
    if (fs.existsSync(conf) && fs.readFileSync(conf, "utf8").includes(`port = ${d.ports.imaps}\n`)) return path.join(os.tmpdir(), name, "dovecot.log");
  }
  throw new Error("Dovecot's log not found");
}

/** IMAP sign-in attempts (successful or not) per Dovecot user, from the login process's log lines. */
function loginAttempts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of fs.readFileSync(dovecotLog, "utf8").split("\n")) {
    const m = /imap-login: .*(?:Login:|auth failed).*user=<([^>]+)>/.exec(line);
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  return counts;
}

/** A profile (IMAPS + SMTP STARTTLS, credentials per mailbox) with 50 approved mailboxes, every fifth with a wrong password. */
async function profileWithMailboxes(set: string) {
  const profileId = await makeProfile(t.db, { incomingPort: dovecot.ports.imaps, outgoingPort: smtp.ports.starttls, ownerId: a.admin.id });
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    ids.push(await makeMailbox(t.db, { profileId, ownerId: a.member.id, name: `Box ${user(set, i)}`, userName: user(set, i), password: isWrong(i) ? "wrong" : `pw-${user(set, i)}` }));
  }
  return { profileId, ids };
}

async function expectOutcomes(jobId: string, ids: string[], allowInterrupted: number) {
  const p = await getJobProgress(t.db, a.admin, jobId);
  expect(p).toMatchObject({ status: "done", total: COUNT, done: COUNT });
  const interrupted = p.items.filter((i) => i.outcome === "interrupted");
  expect(interrupted.length).toBeLessThanOrEqual(allowInterrupted);
  expect(p.succeeded + p.failed).toBe(COUNT);
  for (let i = 0; i < COUNT; i++) {
    const item = p.items.find((x) => x.mailboxId === ids[i])!;
    expect(item.finishedAt).toBeInstanceOf(Date);
    if (item.outcome === "interrupted") continue;
    expect(item.outcome, item.mailboxName).toBe(isWrong(i) ? "failure" : "success");
    if (isWrong(i)) expect(english(item.message)).toMatch(/Authentication failed/);
    const m = await mailboxRow(t.db, ids[i]);
    expect(m.incomingStatus).toBe(isWrong(i) ? "failure" : "success");
    expect(m.incomingEnabled).toBe(!isWrong(i));
  }
  const wrong = ids.filter((_, i) => isWrong(i)).length;
  expect(p.failed).toBe(wrong + interrupted.filter((x) => !isWrong(ids.indexOf(x.mailboxId))).length);
  return p;
}

test("50 mailboxes of one profile, some with wrong passwords: progress reaches 50/50 and each outcome is right", async () => {
  const { profileId, ids } = await profileWithMailboxes("a");
  const { jobId, total } = await enqueueTestAllJob(t.db, a.admin, { profileId });
  expect(total).toBe(COUNT);
  expect(await getJobProgress(t.db, a.manager, jobId)).toMatchObject({ status: "queued", done: 0, total: COUNT });

  const seen: number[] = [];
  let handled = 0;
  for (;;) {
    const n = await runNextJob(t.db, { workerId: "in-process", leaseMs: 60_000, budgetMs: 1_000 });
    if (n === 0) break;
    handled += n;
    seen.push((await getJobProgress(t.db, a.admin, jobId)).done);
  }
  expect(handled).toBe(COUNT);
  // Progress is visible while the job runs, and only goes up.
  expect(seen.length).toBeGreaterThan(1);
  expect(seen).toEqual([...seen].sort((x, y) => x - y));
  const p = await expectOutcomes(jobId, ids, 0);
  expect(p).toMatchObject({ succeeded: 40, failed: 10 });
  const logins = loginAttempts();
  for (let i = 0; i < COUNT; i++) expect(logins.get(user("a", i)), user("a", i)).toBe(1);
  expect((await findLatestProfileJob(t.db, a.admin, { profileId }))?.id).toBe(jobId);
});

test("SIGKILL of the runner half-way: another runner completes the job and no mailbox is tested twice", async () => {
  const { profileId, ids } = await profileWithMailboxes("b");
  const authBefore = smtp.authCount;
  const { jobId } = await enqueueTestAllJob(t.db, a.admin, { profileId });
  const start = (workerId: string) => {
    const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "tests/integration/jobs/run-jobs-child.ts")], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url, MAILROOM_WORKER_ID: workerId, JOB_LEASE_MS: "3000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    children.push(child);
    const exited = new Promise<{ code: number | null; signal: string | null; err: string }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, err })));
    return { child, exited };
  };
  const first = start("runner-1");
  // Wait until the first runner is well into the job.
  const deadline = Date.now() + 60_000;
  let doneAtKill = 0;
  while (Date.now() < deadline) {
    const [j] = await t.db.select({ done: jobs.done }).from(jobs).where(eq(jobs.id, jobId));
    if (j.done >= 15) {
      first.child.kill("SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const killed = await first.exited;
  expect(killed.signal).toBe("SIGKILL");
  [{ done: doneAtKill }] = await t.db.select({ done: jobs.done }).from(jobs).where(eq(jobs.id, jobId));
  expect(doneAtKill).toBeGreaterThanOrEqual(15);
  expect(doneAtKill).toBeLessThan(COUNT);

  const second = start("runner-2");
  const finished = await second.exited;
  expect(finished, finished.err).toMatchObject({ code: 0 });

  await expectOutcomes(jobId, ids, 1);
  // No mailbox was signed in to twice, across both runners.
  const logins = loginAttempts();
  for (let i = 0; i < COUNT; i++) expect(logins.get(user("b", i)) ?? 0, user("b", i)).toBeLessThanOrEqual(1);
  const p = await getJobProgress(t.db, a.admin, jobId);
  const tested = p.items.filter((x) => x.outcome !== "interrupted");
  for (const item of tested) expect(logins.get(item.mailboxName.replace("Box ", "")), item.mailboxName).toBe(1);
  expect(smtp.authCount - authBefore).toBeLessThanOrEqual(COUNT);
  expect(smtp.authCount - authBefore).toBeGreaterThanOrEqual(tested.length);
}, 120_000);

test("who may start a test-all job and read its progress: admins and managers; not members, not signed out", async () => {
  const profileId = await makeProfile(t.db, {});
  await makeMailbox(t.db, { profileId });
  const { jobId } = await enqueueTestAllJob(t.db, a.manager, { profileId });
  for (const actor of [a.member, a.other]) {
    await expect(enqueueTestAllJob(t.db, actor, { profileId })).rejects.toMatchObject({ code: "forbidden" });
    await expect(getJobProgress(t.db, actor, jobId)).rejects.toMatchObject({ code: "forbidden" });
  }
  await expect(enqueueTestAllJob(t.db, null, { profileId })).rejects.toMatchObject({ code: "unauthenticated" });
  await expect(getJobProgress(t.db, null, jobId)).rejects.toMatchObject({ code: "unauthenticated" });
  const empty = await makeProfile(t.db, {});
  await expect(refusedInEnglish(enqueueTestAllJob(t.db, a.admin, { profileId: empty }))).rejects.toMatchObject({ code: "invalid", text: expect.stringMatching(/No mailbox uses the profile/) });
  // Leave no queued job behind for the other tests' runners.
  await t.db.delete(jobs).where(eq(jobs.id, jobId));
});
