// Crash safety of after-fetch actions (issue 18), with real worker processes: a worker is
// killed -9 between the store commit and the action (held there by the test hook
// MAILROOM_TEST_AFTER_FETCH_PAUSE_MS), then a fresh worker takes over. Every message must
// be stored exactly once and every action applied exactly as configured: IMAP mark read,
// IMAP move, IMAP delete, POP3 delete.
import { and, eq, sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { emails } from "../../db/schema/emails";
import { profiles } from "../../db/schema/profiles";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { connectPop3 } from "../../lib/mail/pop3";
import { createTestDb, type TestDb } from "../harness/db";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { createTestPki } from "../harness/tls";
import { insertMailbox, insertProfile, insertUser, storedCounts, testMessage } from "../integration/sync/sync-fixtures";
import { waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { expireLeasesOf, startNamedWorker, type WorkerEnv } from "./support/fault-kit";

const MESSAGES = 150;
const pki = createTestPki();
const secretKey = generateSecretKey("rel");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let t: TestDb;
let dovecot: Dovecot;
const live: WorkerProcess[] = [];
beforeAll(async () => {
  [t, dovecot] = await Promise.all([createTestDb(), startDovecot({ pki })]);
});
afterAll(async () => {
  await Promise.all(live.splice(0).map((w) => w.stop()));
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

async function imapState(user: string, folder = "INBOX") {
  const c = new ImapFlow({ host: dovecot.host, port: dovecot.ports.imaps, secure: true, tls: { ca: pki.caPem }, auth: { user, pass: `${user}-pw` }, logger: false });
  c.on("error", () => {});
  await c.connect();
  try {
    await c.mailboxOpen(folder, { readOnly: true });
    return { all: ((await c.search({ all: true }, { uid: true })) || []).length, seen: ((await c.search({ seen: true }, { uid: true })) || []).length };
  } finally {
    await c.logout().catch(() => c.close());
  }
}

async function pop3Count(user: string) {
  const pop3 = await connectPop3({ host: dovecot.host, port: dovecot.ports.pop3s, tls: "implicit", ca: pki.caPem, timeoutMs: 10_000 });
  try {
    await pop3.login(user, `${user}-pw`);
    return (await pop3.stat()).count;
  } finally {
    await pop3.quit().catch(() => pop3.close());
  }
}

test(`kill -9 between the store commit and the after-fetch action (${MESSAGES} messages each: IMAP mark read, move, delete; POP3 delete): after a restart, each stored once and each action applied`, async () => {
  const ownerId = await insertUser(t.db);
  const kinds = [
    { user: "kaf-read", protocol: "imap" as const, action: "mark_read" as const },
    { user: "kaf-move", protocol: "imap" as const, action: "move" as const },
    { user: "kaf-del", protocol: "imap" as const, action: "delete" as const },
    { user: "kaf-pop", protocol: "pop3" as const, action: "delete" as const },
  ];
  const boxes: Array<(typeof kinds)[number] & { id: string }> = [];
  for (const k of kinds) {
    await dovecot.addUser(k.user, `${k.user}-pw`);
    await dovecot.deliverMany(k.user, Array.from({ length: MESSAGES }, (_, i) => testMessage(i, { tag: k.user })));
    const profileId = await insertProfile(t.db, { dovecot, protocol: k.protocol, ownerId });
    await t.db.update(profiles).set({ afterFetchAction: k.action, afterFetchFolder: k.action === "move" ? "Archive" : null }).where(eq(profiles.id, profileId));
    boxes.push({ ...k, id: await insertMailbox(t.db, { profileId, ownerId, user: k.user, password: `${k.user}-pw` }) });
  }
  // The folder "move" moves to exists beforehand (Mailroom creates none).
  const admin = new ImapFlow({ host: dovecot.host, port: dovecot.ports.imaps, secure: true, tls: { ca: pki.caPem }, auth: { user: "kaf-move", pass: "kaf-move-pw" }, logger: false });
  await admin.connect();
  await admin.mailboxCreate("Archive");
  await admin.logout();

  const pending = async (mailboxId: string) =>
    (await t.db.select({ n: sql<number>`count(*)::int` }).from(emails).where(and(eq(emails.mailboxId, mailboxId), eq(emails.afterFetchPending, true))))[0].n;
  const env: WorkerEnv = { databaseUrl: t.url, secretKey, caFile: pki.caFile };

  // The first worker stores, then waits a minute before each action: it is killed there, once
  // every mailbox has stored rows and all of them are still pending, unchanged for a second
  // (a sync cut short by its time budget pauses too, so not all need be stored yet).
  const first = await startNamedWorker({ ...env, extra: { MAILROOM_TEST_AFTER_FETCH_PAUSE_MS: "60000" } });
  live.push(first.proc);
  const snapshot = async () => Promise.all(boxes.map(async (b) => [(await storedCounts(t.db, b.id)).rows, await pending(b.id)]));
  let before: number[][] = [];
  await waitFor("every mailbox stored and waiting for its action", async () => {
    const now = await snapshot();
    const ready = now.every(([rows, p]) => rows > 0 && p === rows) && JSON.stringify(now) === JSON.stringify(before);
    before = now;
    if (!ready) await new Promise((r) => setTimeout(r, 1000));
    return ready;
  }, 120_000);
  first.proc.kill9();
  expect((await first.proc.exited).signal).toBe("SIGKILL");
  live.splice(live.indexOf(first.proc), 1);
  // Killed between commit and action: what is stored is stored once and still pending, and the
  // server is untouched.
  for (const b of boxes) {
    const c = await storedCounts(t.db, b.id);
    expect(c.ids, b.user).toBe(c.rows);
    expect(await pending(b.id), b.user).toBe(c.rows);
  }
  expect(await imapState("kaf-read")).toEqual({ all: MESSAGES, seen: 0 });
  expect(await imapState("kaf-move")).toEqual({ all: MESSAGES, seen: 0 });
  expect(await imapState("kaf-del")).toEqual({ all: MESSAGES, seen: 0 });
  expect(await pop3Count("kaf-pop")).toBe(MESSAGES);
  const killedAt = before.map(([rows]) => rows).join("/");

  // A fresh worker (no pause) takes over once the dead one's leases run out.
  await expireLeasesOf(t.db, first.id);
  await t.db.execute(sql`update mailboxes set next_sync_at = now()`);
  const second = await startNamedWorker(env);
  live.push(second.proc);
  await waitFor("every message stored and every action applied", async () => {
    for (const b of boxes) if ((await storedCounts(t.db, b.id)).rows < MESSAGES || (await pending(b.id)) > 0) return false;
    return true;
  }, 90_000);

  console.log(`kill-after-fetch: killed with ${killedAt} rows stored and pending (read/move/delete/pop3), all ${MESSAGES} each settled after the restart`);
  for (const b of boxes) expect(await storedCounts(t.db, b.id), b.user).toEqual({ rows: MESSAGES, ids: MESSAGES, sources: MESSAGES });
  expect(await imapState("kaf-read")).toEqual({ all: MESSAGES, seen: MESSAGES });
  expect(await imapState("kaf-move")).toEqual({ all: 0, seen: 0 });
  expect(await imapState("kaf-move", "Archive")).toEqual({ all: MESSAGES, seen: 0 });
  expect(await imapState("kaf-del")).toEqual({ all: 0, seen: 0 });
  expect(await pop3Count("kaf-pop")).toBe(0);

  // Later mail: stored once more each, nothing re-stored, and its action applied too.
  for (const b of boxes) await dovecot.deliverMany(b.user, [testMessage(MESSAGES, { tag: b.user })]);
  await t.db.execute(sql`update mailboxes set next_sync_at = now()`);
  await waitFor("the new message stored and acted on everywhere", async () => {
    for (const b of boxes) if ((await storedCounts(t.db, b.id)).rows < MESSAGES + 1 || (await pending(b.id)) > 0) return false;
    return true;
  }, 60_000);
  for (const b of boxes) expect(await storedCounts(t.db, b.id), b.user).toEqual({ rows: MESSAGES + 1, ids: MESSAGES + 1, sources: MESSAGES + 1 });
  expect(await imapState("kaf-read")).toEqual({ all: MESSAGES + 1, seen: MESSAGES + 1 });
  expect(await imapState("kaf-move", "Archive")).toEqual({ all: MESSAGES + 1, seen: 0 });
  expect(await imapState("kaf-del")).toEqual({ all: 0, seen: 0 });
  expect(await pop3Count("kaf-pop")).toBe(0);
}, 300_000);
