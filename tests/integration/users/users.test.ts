import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { mailboxes } from "../../../db/schema/mailboxes";
import { signInThrottle, users } from "../../../db/schema/users";
import type { Actor } from "../../../lib/auth/actor";
import { FAILURE_LIMITS } from "../../../lib/auth/sign-in-throttle";
import { createFirstAdmin } from "../../../lib/users/create-first-admin";
import { createUser } from "../../../lib/users/create-user";
import { endUserSessions } from "../../../lib/users/end-user-sessions";
import { hasAnyUser } from "../../../lib/users/has-any-user";
import { listUsers } from "../../../lib/users/list-users";
import { loadActor } from "../../../lib/users/load-actor";
import { updateUser } from "../../../lib/users/update-user";
import { verifyCredentials } from "../../../lib/users/verify-credentials";
import { createTestDb, type TestDb } from "../../harness/db";
import { refusedInEnglish } from "../../harness/english";

let t: TestDb;
let admin: Actor;
let adminEmail: string;
const strong = "Correct-Horse-42";

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

describe("first-run setup", () => {
  test("creates exactly one admin, with a mailbox, and then refuses", async () => {
    expect(await hasAnyUser(t.db)).toBe(false);
    const results = await Promise.allSettled([
      createFirstAdmin(t.db, { email: "Root@Example.com", name: "Root", password: strong }),
      createFirstAdmin(t.db, { email: "other@example.com", name: "Other", password: strong }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const all = await t.db.select().from(users);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ role: "admin" });
    expect(all[0].passwordHash).not.toContain(strong);
    admin = (await loadActor(t.db, all[0].id))!;
    adminEmail = admin.email;
    expect(["root@example.com", "other@example.com"]).toContain(adminEmail);
    const boxes = await t.db.select().from(mailboxes).where(eq(mailboxes.userId, all[0].id));
    expect(boxes).toHaveLength(1);
    await expect(createFirstAdmin(t.db, { email: "late@example.com", name: "Late", password: strong })).rejects.toMatchObject({ code: "forbidden" });
  });

  test("a weak password is refused with a field error", async () => {
    await expect(refusedInEnglish(createUser(t.db, admin, { email: "weak@example.com", name: "W", password: "short", role: "member" }))).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { password: [expect.stringMatching(/10 characters/)] },
    });
  });
});

describe("users and roles", () => {
  test("only admins create users; emails are unique ignoring case", async () => {
    const member = await createUser(t.db, admin, { email: "mem@example.com", name: "Mem", password: strong, role: "member" });
    const memberActor = (await loadActor(t.db, member.id))!;
    await expect(createUser(t.db, memberActor, { email: "x@example.com", name: "X", password: strong, role: "admin" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createUser(t.db, null, { email: "x@example.com", name: "X", password: strong, role: "admin" })).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(refusedInEnglish(createUser(t.db, admin, { email: "MEM@example.com", name: "Dup", password: strong, role: "member" }))).rejects.toMatchObject({
      fieldErrors: { email: [expect.stringMatching(/already exists/)] },
    });
    const page = await listUsers(t.db, admin);
    expect(page.rows.map((r) => r.email)).toEqual(["mem@example.com", adminEmail].sort());
    expect(page.rows[0]).not.toHaveProperty("passwordHash");
    await expect(listUsers(t.db, memberActor)).rejects.toMatchObject({ code: "forbidden" });
  });

  test("the last active admin cannot be demoted or deactivated", async () => {
    await expect(refusedInEnglish(updateUser(t.db, admin, { id: admin.id, name: "Root", role: "member", active: true }))).rejects.toMatchObject({
      fieldErrors: { role: [expect.stringMatching(/last active admin/)] },
    });
    await expect(updateUser(t.db, admin, { id: admin.id, name: "Root", role: "admin", active: false })).rejects.toMatchObject({ code: "invalid" });
  });

  test("a deactivated user can no longer act", async () => {
    const u = await createUser(t.db, admin, { email: "gone@example.com", name: "Gone", password: strong, role: "mailbox_manager" });
    expect(await loadActor(t.db, u.id)).toMatchObject({ role: "mailbox_manager" });
    await updateUser(t.db, admin, { id: u.id, name: "Gone", role: "mailbox_manager", active: false });
    expect(await loadActor(t.db, u.id)).toBeNull();
    expect(await verifyCredentials(t.db, { email: "gone@example.com", password: strong, ip: "10.0.0.9" })).toEqual({ ok: false, reason: "wrong" });
  });
});

describe("sign-in", () => {
  test("right password signs in; wrong email and wrong password look the same", async () => {
    const ok = await verifyCredentials(t.db, { email: ` ${adminEmail.toUpperCase()} `, password: strong, ip: "10.0.0.1" });
    expect(ok).toMatchObject({ ok: true, actor: { email: adminEmail, role: "admin" } });
    expect(await verifyCredentials(t.db, { email: adminEmail, password: "nope", ip: "10.0.0.2" })).toEqual({ ok: false, reason: "wrong" });
    expect(await verifyCredentials(t.db, { email: "nobody@example.com", password: "nope", ip: "10.0.0.3" })).toEqual({ ok: false, reason: "wrong" });
  });

  test("repeated failures from one address are blocked, even with the right password", async () => {
    for (let i = 0; i < FAILURE_LIMITS.ip; i++) {
      await verifyCredentials(t.db, { email: `guess${i}@example.com`, password: "nope", ip: "10.9.9.9" });
    }
    const r = await verifyCredentials(t.db, { email: adminEmail, password: strong, ip: "10.9.9.9" });
    expect(r).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(r.ok === false && r.reason === "rate_limited" && r.retryAfterSeconds).toBeGreaterThan(60);
    // Another address is not affected.
    expect(await verifyCredentials(t.db, { email: adminEmail, password: strong, ip: "10.9.9.8" })).toMatchObject({ ok: true });
  });

  test("failures for one account from many addresses slow it down, but the owner still signs in from an address with no failures", async () => {
    await t.db.delete(signInThrottle);
    const waits: number[] = [];
    const wait = async (ms: number) => waits.push(ms);
    for (let i = 0; i < FAILURE_LIMITS.account + 3; i++) {
      await verifyCredentials(t.db, { email: "mem@example.com", password: "nope", ip: `10.1.1.${i}` }, wait);
    }
    // Answers got slower once the account passed its limit, doubling.
    expect(waits.length).toBe(3);
    expect(waits[1]).toBe(waits[0] * 2);
    waits.length = 0;
    expect(await verifyCredentials(t.db, { email: "mem@example.com", password: strong, ip: "10.2.2.2" }, wait)).toMatchObject({ ok: true });
    expect(waits).toHaveLength(1);
    // An address that already failed for this account waits out the window, right password or not.
    expect(await verifyCredentials(t.db, { email: "mem@example.com", password: strong, ip: "10.1.1.0" }, wait)).toMatchObject({ reason: "rate_limited" });
  });

  test("failures from one address for one account block that pair only", async () => {
    await t.db.delete(signInThrottle);
    for (let i = 0; i < FAILURE_LIMITS.pair; i++) {
      await verifyCredentials(t.db, { email: adminEmail, password: "nope", ip: "10.3.3.3" });
    }
    expect(await verifyCredentials(t.db, { email: adminEmail, password: strong, ip: "10.3.3.3" })).toMatchObject({ reason: "rate_limited" });
    // The only admin signs in from their own address, and that address still serves other accounts.
    expect(await verifyCredentials(t.db, { email: adminEmail, password: strong, ip: "10.4.4.4" }, async () => {})).toMatchObject({ ok: true });
    expect(await verifyCredentials(t.db, { email: "mem@example.com", password: strong, ip: "10.3.3.3" })).toMatchObject({ ok: true });
  });

  test("the throttle table keeps only the current window", async () => {
    await t.db.delete(signInThrottle);
    await t.db.insert(signInThrottle).values([
      { key: "ip:10.7.7.7", failures: 3, windowStartedAt: new Date(Date.now() - 60 * 60_000) },
      { key: "ip:10.7.7.8", failures: 0, windowStartedAt: new Date(Date.now() - 60 * 60_000), blockedUntil: new Date(Date.now() + 60_000) },
    ]);
    await verifyCredentials(t.db, { email: "nobody@example.com", password: "nope", ip: "10.8.8.8" });
    const keys = (await t.db.select().from(signInThrottle)).map((r) => r.key).sort();
    expect(keys).toEqual(["email:nobody@example.com", "ip:10.7.7.8", "ip:10.8.8.8", "pair:nobody@example.com|10.8.8.8"]);
  });
});

describe("sessions", () => {
  async function session(email: string) {
    const r = await verifyCredentials(t.db, { email, password: strong, ip: "10.5.5.5" });
    if (!r.ok) throw new Error(`sign-in failed: ${r.reason}`);
    return { id: r.actor.id, version: r.sessionVersion };
  }

  test("a password change ends every session of that user, and a new sign-in works", async () => {
    const before = await session("mem@example.com");
    const other = await session("mem@example.com");
    expect(await loadActor(t.db, before.id, before.version)).toMatchObject({ email: "mem@example.com" });
    await updateUser(t.db, admin, { id: before.id, name: "Mem", role: "member", active: true, password: strong });
    expect(await loadActor(t.db, before.id, before.version)).toBeNull();
    expect(await loadActor(t.db, other.id, other.version)).toBeNull();
    const after = await session("mem@example.com");
    expect(await loadActor(t.db, after.id, after.version)).toMatchObject({ email: "mem@example.com" });
    // A change without a new password keeps sessions.
    await updateUser(t.db, admin, { id: after.id, name: "Mem 2", role: "member", active: true, password: "" });
    expect(await loadActor(t.db, after.id, after.version)).toMatchObject({ name: "Mem 2" });
  });

  test("an admin signs a user out everywhere; a member cannot, except themselves", async () => {
    const s = await session("mem@example.com");
    const memberActor = (await loadActor(t.db, s.id, s.version))!;
    await expect(endUserSessions(t.db, memberActor, admin.id)).rejects.toMatchObject({ code: "forbidden" });
    await endUserSessions(t.db, admin, s.id);
    expect(await loadActor(t.db, s.id, s.version)).toBeNull();
    const again = await session("mem@example.com");
    await endUserSessions(t.db, (await loadActor(t.db, again.id, again.version))!, again.id);
    expect(await loadActor(t.db, again.id, again.version)).toBeNull();
  });
});
