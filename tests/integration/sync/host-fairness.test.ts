// Fair lanes per server host and the shared circuit breaker, against Postgres (no mail server is
// contacted: the profiles only need a host and port).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { mailboxes } from "../../../db/schema/mailboxes";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { claimDueMailboxes } from "../../../lib/sync/claim-due-mailboxes";
import { recordHostAnswered, recordHostTimeout, releaseProbe } from "../../../lib/sync/host-circuit";
import { createTestDb, type TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { insertMailbox, insertProfile, insertUser } from "./sync-fixtures";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("fair"));

let t: TestDb;
let ownerId: string;
beforeAll(async () => {
  t = await createTestDb();
  ownerId = await insertUser(t.db);
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

const lease = { leaseMs: 60_000 };
const circuit = { circuitThreshold: 3, circuitOpenMs: 30_000, circuitOpenCapMs: 600_000 };
async function hostWith(port: number, n: number): Promise<{ host: string; ids: string[]; profileId: string }> {
  const profileId = await insertProfile(t.db, { dovecot: { ports: { imaps: port } } as unknown as Dovecot, protocol: "imap", ownerId });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await insertMailbox(t.db, { profileId, ownerId, user: `u${i}`, password: "p" }));
  return { host: `127.0.0.1:${port}`, ids, profileId };
}
const reset = () => t.db.update(mailboxes).set({ incomingEnabled: false });

test("a host with many due mailboxes takes its fair share of a worker's lanes, never all: another host's mailbox is claimed beside it", async () => {
  await reset();
  const dead = await hostWith(2001, 40);
  const fine = await hostWith(2002, 2);
  const first = await claimDueMailboxes(t.db, { workerId: "w", limit: 24, lanes: 24, ...lease });
  expect(first.filter((id) => dead.ids.includes(id))).toHaveLength(21);
  expect(first.filter((id) => fine.ids.includes(id)).sort()).toEqual([...fine.ids].sort());
  // Its lanes still held, the dead host gets no more, however many are due; a newly due healthy mailbox is claimed at once.
  await t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null, next_sync_at = now() where id in (${sql.join(fine.ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
  expect((await claimDueMailboxes(t.db, { workerId: "w", limit: 3, lanes: 24, ...lease })).sort()).toEqual([...fine.ids].sort());
  // Another worker has lanes of its own.
  expect(await claimDueMailboxes(t.db, { workerId: "w2", limit: 24, lanes: 24, ...lease })).toHaveLength(19);
});

test("a push session's lease is no lane: a host with many held sessions still gets its share for polling", async () => {
  await reset();
  const pushy = await hostWith(2004, 30);
  const held = pushy.ids.slice(0, 25);
  await t.db.execute(sql`update mailboxes set lease_owner = 'w', lease_expires_at = now() + interval '1 minute', push_state = 'idle'
    where id in (${sql.join(held.map((id) => sql`${id}::uuid`), sql`, `)})`);
  expect((await claimDueMailboxes(t.db, { workerId: "w", limit: 24, lanes: 24, ...lease })).sort()).toEqual(pushy.ids.slice(25).sort());
  await t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null, push_state = null`);
});

test("a mailbox polled after its push holder died no longer shows as held for push (page, dashboard)", async () => {
  await reset();
  const box = await hostWith(2005, 2);
  const [orphan, failed] = box.ids;
  await t.db.execute(sql`update mailboxes set lease_owner = 'dead', lease_expires_at = now() - interval '1 second', push_state = 'idle', push_connected_at = now() - interval '1 hour' where id = ${orphan}::uuid`);
  await t.db.execute(sql`update mailboxes set push_state = 'failed', push_connected_at = null where id = ${failed}::uuid`);
  expect((await claimDueMailboxes(t.db, { workerId: "w", limit: 24, lanes: 24, ...lease })).sort()).toEqual([...box.ids].sort());
  const rows = await t.db.execute<{ id: string; push_state: string | null; push_connected_at: Date | null }>(sql`select id, push_state, push_connected_at from mailboxes where id in (${orphan}::uuid, ${failed}::uuid)`);
  expect(rows.find((r) => r.id === orphan)).toMatchObject({ push_state: null, push_connected_at: null });
  // Why push is off for a mailbox that never held a session stays, for the page to say.
  expect(rows.find((r) => r.id === failed)).toMatchObject({ push_state: "failed" });
  await t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null, push_state = null`);
});

test("the circuit: open after 3 timeouts in a row, then one probe among concurrent claimers; a failed probe opens it for twice as long; an answer closes it", async () => {
  await reset();
  const dead = await hostWith(2003, 10);
  await recordHostTimeout(t.db, { host: dead.host, probeOwner: "w/x", options: circuit });
  await recordHostTimeout(t.db, { host: dead.host, probeOwner: "w/y", options: circuit });
  expect(await claimDueMailboxes(t.db, { workerId: "w", limit: 4, lanes: 24, ...lease })).toHaveLength(4);
  await t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null`);
  await recordHostTimeout(t.db, { host: dead.host, probeOwner: "w/z", options: circuit });
  const [open] = await t.db.execute<{ trips: number; s: number }>(sql`select trips, extract(epoch from open_until - now())::int as s from host_circuits where host = ${dead.host}`);
  expect(open.trips).toBe(1);
  expect(open.s).toBeGreaterThan(25);
  // The waiting mailboxes say why, without a failure of their own.
  const waiting = await t.db.execute<{ code: string; status: string; failures: number }>(sql`
    select last_error_code as code, incoming_status as status, consecutive_failures as failures from mailboxes where id in (${sql.join(dead.ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
  expect(waiting.every((w) => w.code === "host_unresponsive" && w.status === "retrying" && w.failures === 0)).toBe(true);
  const alertsOf = () => t.db.execute<{ severity: string; key: string; recipient: string }>(sql`
    select severity, message_key as key, recipient_id as recipient from alerts where dedup_key like ${"incoming:host_%:" + dead.profileId} order by first_seen_at, id`);
  // The profile's owner hears it once, however many mailboxes wait.
  expect(await alertsOf()).toEqual([{ severity: "warning", key: "alerts.text.hostNotAnswering", recipient: ownerId }]);
  expect(await claimDueMailboxes(t.db, { workerId: "w", limit: 24, lanes: 24, ...lease })).toEqual([]);

  // Open time over: six concurrent claimers, one probe.
  await t.db.execute(sql`update host_circuits set open_until = now() - interval '1 second' where host = ${dead.host}`);
  const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => claimDueMailboxes(t.db, { workerId: `p${i}`, limit: 24, lanes: 24, ...lease })));
  expect(claims.flat()).toHaveLength(1);
  const prober = claims.findIndex((c) => c.length === 1);
  const probeOwner = `p${prober}/${claims[prober][0]}`;
  const [probe] = await t.db.execute<{ owner: string }>(sql`select probe_owner as owner from host_circuits where host = ${dead.host}`);
  expect(probe.owner).toBe(probeOwner);
  // A straggler's timeout only counts; the probe's opens it again, for 60 s.
  await recordHostTimeout(t.db, { host: dead.host, probeOwner: "w/other", options: circuit });
  await recordHostTimeout(t.db, { host: dead.host, probeOwner, options: circuit });
  const [again] = await t.db.execute<{ trips: number; s: number; owner: string | null }>(sql`select trips, extract(epoch from open_until - now())::int as s, probe_owner as owner from host_circuits where host = ${dead.host}`);
  expect(again).toMatchObject({ trips: 2, owner: null });
  expect(again.s).toBeGreaterThan(55);

  // A probe that ended without an answer either way (no slot, refused) lets the next probe go.
  await t.db.execute(sql`update mailboxes set lease_owner = null, lease_expires_at = null`);
  await t.db.execute(sql`update host_circuits set open_until = now() - interval '1 second' where host = ${dead.host}`);
  const [second] = await claimDueMailboxes(t.db, { workerId: "w", limit: 24, lanes: 24, ...lease });
  expect(await claimDueMailboxes(t.db, { workerId: "w9", limit: 24, lanes: 24, ...lease })).toEqual([]);
  await releaseProbe(t.db, `w/${second}`);
  expect(await claimDueMailboxes(t.db, { workerId: "w9", limit: 24, lanes: 24, ...lease })).toHaveLength(1);

  // The server answers: the circuit closes and the waiting mailboxes are claimed (their fair share).
  await recordHostAnswered(t.db, dead.host);
  expect(await t.db.execute(sql`select 1 from host_circuits where host = ${dead.host}`)).toHaveLength(0);
  expect((await alertsOf()).map((a) => a.severity)).toEqual(["warning", "information"]);
  expect(await claimDueMailboxes(t.db, { workerId: "w", limit: 24, lanes: 24, ...lease })).toHaveLength(8);
});
