// Push (IMAP IDLE) with real worker processes and a real Dovecot: a worker holds each
// pushable mailbox's session open and stores new mail as the server announces it, exactly
// once, through the polling path; sessions survive a Dovecot restart, move to another
// worker when their holder dies, and close when their mailbox is disabled.
import { and, eq, sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { afterEach, expect, test } from "vitest";
import { emails } from "../../../db/schema/emails";
import { mailboxes } from "../../../db/schema/mailboxes";
import { profiles } from "../../../db/schema/profiles";
import { useDovecotSuite } from "./dovecot-suite";
import { insertMailbox, insertProfile, storedCounts, testMessage } from "./sync-fixtures";
import { startWorker, waitFor, type WorkerProcess } from "./worker-process";

const s = useDovecotSuite();
const workers: WorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  // Each test's mailboxes stop here, so the next test's workers see only their own.
  await s.t.db.update(mailboxes).set({ incomingEnabled: false });
});

async function worker(id: string): Promise<WorkerProcess> {
  const w = await startWorker({
    DATABASE_URL: s.t.url,
    MAILROOM_SECRET_KEY: process.env.MAILROOM_SECRET_KEY!,
    MAILROOM_EXTRA_CA_FILE: s.pki.caFile,
    MAILROOM_WORKER_ID: id,
    MAILROOM_PUSH_SESSIONS: "100",
    LOG_LEVEL: "info",
  });
  workers.push(w);
  return w;
}

let round = 0;
/** `n` IMAP mailboxes on one profile that polls only hourly, so mail stored within seconds was pushed. */
async function pushableBoxes(n: number): Promise<Array<{ id: string; user: string }>> {
  const tag = `r${++round}`;
  const profileId = await insertProfile(s.t.db, { dovecot: s.dovecot, protocol: "imap", ownerId: s.ownerId, maxConnections: 5 });
  await s.t.db.update(profiles).set({ minPollingIntervalMinutes: 60 }).where(eq(profiles.id, profileId));
  const boxes = [];
  for (let i = 0; i < n; i++) {
    const user = `${tag}u${i}`;
    await s.dovecot.addUser(user, `${user}-pw`);
    boxes.push({ id: await insertMailbox(s.t.db, { profileId, ownerId: s.ownerId, user, password: `${user}-pw` }), user });
  }
  return boxes;
}

type PushRow = { id: string; lease_owner: string | null; push_connected_at: Date | null; push_state: string | null };
async function pushRows(ids: string[]): Promise<PushRow[]> {
  return s.t.db.execute<PushRow>(sql`select id, lease_owner, push_connected_at, push_state from mailboxes where id = any(${`{${ids.join(",")}}`}::uuid[])`);
}
const allHeld = (ids: string[], by?: string) => async () => (await pushRows(ids)).every((r) => r.push_connected_at !== null && (!by || r.lease_owner === by));

/** Delivers one message to each user and waits until every mailbox stored `expected` rows; returns ms per mailbox. */
async function deliverAndWait(boxes: Array<{ id: string; user: string }>, expected: number, tag: string): Promise<number[]> {
  const started = new Map<string, number>();
  const took = new Map<string, number>();
  for (const b of boxes) {
    started.set(b.id, Date.now());
    await s.dovecot.deliver(b.user, testMessage(expected, { tag: `${tag}-${b.user}` }));
  }
  await waitFor(`${expected} stored in each mailbox`, async () => {
    for (const b of boxes) {
      if (took.has(b.id)) continue;
      if ((await storedCounts(s.t.db, b.id)).rows >= expected) took.set(b.id, Date.now() - started.get(b.id)!);
    }
    return took.size === boxes.length;
  }, 20_000);
  return boxes.map((b) => took.get(b.id)!);
}

async function expectExactlyOnce(boxes: Array<{ id: string }>, expected: number) {
  for (const b of boxes) expect(await storedCounts(s.t.db, b.id)).toEqual({ rows: expected, ids: expected, sources: expected });
}

test("mail delivered to an IDLE-held mailbox is stored within seconds, exactly once", async () => {
  const boxes = await pushableBoxes(3);
  await worker("push-a");
  // The first sync polls; then the worker holds each session open.
  await waitFor("every session held", allHeld(boxes.map((b) => b.id), "push-a"), 30_000);
  expect((await pushRows([boxes[0].id]))[0].push_state).toBe("idle");
  for (let n = 1; n <= 3; n++) {
    const ms = await deliverAndWait(boxes, n, `one${n}`);
    console.log(`push: delivery → stored (ms), round ${n}: ${ms.join(", ")}`);
    expect(Math.max(...ms)).toBeLessThan(3_000);
  }
  // A burst into one mailbox: all of it, once.
  await s.dovecot.deliverMany(boxes[0].user, Array.from({ length: 10 }, (_, i) => testMessage(100 + i, { tag: "burst" })));
  await waitFor("the burst stored", async () => (await storedCounts(s.t.db, boxes[0].id)).rows === 13, 10_000);
  await new Promise((r) => setTimeout(r, 500));
  await expectExactlyOnce([boxes[0]], 13);
  await expectExactlyOnce(boxes.slice(1), 3);
});

test("after-fetch actions apply to mail stored by a held push session: marked read (two mailboxes) and deleted (one), each stored once", async () => {
  const read = await pushableBoxes(2);
  const del = await pushableBoxes(1);
  const profileOf = async (id: string) => (await s.t.db.select({ p: mailboxes.profileId }).from(mailboxes).where(eq(mailboxes.id, id)))[0].p!;
  await s.t.db.update(profiles).set({ afterFetchAction: "mark_read" }).where(eq(profiles.id, await profileOf(read[0].id)));
  await s.t.db.update(profiles).set({ afterFetchAction: "delete" }).where(eq(profiles.id, await profileOf(del[0].id)));
  const boxes = [...read, ...del];
  await worker("push-af");
  await waitFor("every session held", allHeld(boxes.map((b) => b.id), "push-af"), 30_000);
  const inbox = async (user: string) => {
    const c = new ImapFlow({ host: "127.0.0.1", port: s.dovecot.ports.imaps, secure: true, tls: { ca: s.pki.caPem }, auth: { user, pass: `${user}-pw` }, logger: false });
    c.on("error", () => {});
    await c.connect();
    try {
      await c.mailboxOpen("INBOX", { readOnly: true });
      return { all: ((await c.search({ all: true }, { uid: true })) || []).length, seen: ((await c.search({ seen: true }, { uid: true })) || []).length };
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  const settled = async () => {
    const [{ n }] = await s.t.db.select({ n: sql<number>`count(*)::int` }).from(emails).where(and(eq(emails.afterFetchPending, true), sql`${emails.mailboxId} = any(${`{${boxes.map((b) => b.id).join(",")}}`}::uuid[])`));
    return n === 0;
  };
  for (let n = 1; n <= 2; n++) {
    const ms = await deliverAndWait(boxes, n, `af${n}`);
    expect(Math.max(...ms)).toBeLessThan(3_000);
    await waitFor("the actions applied", settled, 10_000);
    for (const b of read) expect(await inbox(b.user)).toEqual({ all: n, seen: n });
    expect(await inbox(del[0].user)).toEqual({ all: 0, seen: 0 });
  }
  // Still pushed (not polled: the profile polls hourly), and each message once.
  expect((await pushRows(boxes.map((b) => b.id))).every((r) => r.push_connected_at !== null)).toBe(true);
  await expectExactlyOnce(boxes, 2);
});

test("Dovecot restarted under held sessions: every session reconnects, mail delivered meanwhile is stored, none lost, none twice", async () => {
  const boxes = await pushableBoxes(12);
  const ids = boxes.map((b) => b.id);
  await worker("push-b");
  await waitFor("every session held", allHeld(ids, "push-b"), 30_000);
  await deliverAndWait(boxes, 1, "before");

  await s.dovecot.stop();
  // Delivered while the server is down: the sessions' catch-up finds it.
  for (const b of boxes) await s.dovecot.deliver(b.user, testMessage(2, { tag: `down-${b.user}` }));
  await waitFor("the sessions to notice", async () => (await pushRows(ids)).every((r) => r.push_connected_at === null), 10_000);
  const restarted = Date.now();
  await s.dovecot.start();
  await waitFor("every session back", allHeld(ids, "push-b"), 30_000);
  const backMs = Date.now() - restarted;
  await waitFor("the mail delivered while down", async () => {
    for (const b of boxes) if ((await storedCounts(s.t.db, b.id)).rows < 2) return false;
    return true;
  }, 10_000);
  console.log(`push: ${boxes.length} sessions back ${backMs} ms after Dovecot started again`);
  const ms = await deliverAndWait(boxes, 3, "after");
  expect(Math.max(...ms)).toBeLessThan(3_000);
  await expectExactlyOnce(boxes, 3);
});

test("kill -9 of a worker holding sessions: the other worker takes them over within the lease, none lost, none twice", async () => {
  const boxes = await pushableBoxes(8);
  const ids = boxes.map((b) => b.id);
  const a = await worker("push-c1");
  await waitFor("every session held", allHeld(ids, "push-c1"), 30_000);
  await worker("push-c2");
  // The newcomer takes its fair share: the first worker gives back what is above half.
  await waitFor("the sessions shared", async () => {
    const rows = await pushRows(ids);
    return rows.every((r) => r.push_connected_at !== null) && rows.filter((r) => r.lease_owner === "push-c2").length >= 3;
  }, 30_000);
  const ofA = (await pushRows(ids)).filter((r) => r.lease_owner === "push-c1").map((r) => r.id);
  expect(ofA.length).toBeGreaterThanOrEqual(3);
  a.kill9();
  await a.exited;
  workers.splice(workers.indexOf(a), 1);
  const killed = Date.now();
  // Mail for the dead worker's mailboxes while nobody holds them.
  const orphans = boxes.filter((b) => ofA.includes(b.id));
  for (const b of orphans) await s.dovecot.deliver(b.user, testMessage(1, { tag: `orphan-${b.user}` }));
  await waitFor("the other worker holding them", allHeld(ofA, "push-c2"), 75_000);
  const takeoverMs = Date.now() - killed;
  console.log(`push: ${ofA.length} sessions of a killed worker taken over after ${takeoverMs} ms (lease 40 s)`);
  expect(takeoverMs).toBeLessThan(60_000);
  await waitFor("the orphans' mail", async () => {
    for (const b of orphans) if ((await storedCounts(s.t.db, b.id)).rows < 1) return false;
    return true;
  }, 10_000);
  // Held by the new worker: pushed within seconds.
  const ms = await deliverAndWait(orphans, 2, "after-kill");
  expect(Math.max(...ms)).toBeLessThan(3_000);
  await expectExactlyOnce(orphans, 2);
  await expectExactlyOnce(boxes.filter((b) => !ofA.includes(b.id)), 0);
}, 150_000);

test("disabling a mailbox closes its held session within seconds", async () => {
  const boxes = await pushableBoxes(2);
  await worker("push-d");
  await waitFor("every session held", allHeld(boxes.map((b) => b.id), "push-d"), 30_000);
  const t0 = Date.now();
  await s.t.db.update(mailboxes).set({ incomingEnabled: false }).where(eq(mailboxes.id, boxes[0].id));
  await waitFor("the session closed", async () => {
    const [r] = await pushRows([boxes[0].id]);
    return r.lease_owner === null && r.push_connected_at === null;
  }, 10_000);
  const closedMs = Date.now() - t0;
  console.log(`push: session closed ${closedMs} ms after the mailbox was disabled`);
  expect(closedMs).toBeLessThan(3_000);
  // Mail for the disabled mailbox is not fetched; the other one still gets pushed mail.
  await s.dovecot.deliver(boxes[0].user, testMessage(1, { tag: "disabled" }));
  const ms = await deliverAndWait([boxes[1]], 1, "still-on");
  expect(ms[0]).toBeLessThan(3_000);
  expect((await storedCounts(s.t.db, boxes[0].id)).rows).toBe(0);
  expect((await pushRows([boxes[0].id]))[0].lease_owner).toBeNull();
});
