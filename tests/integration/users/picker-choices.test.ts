import crypto from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Actor } from "../../../lib/auth/actor";
import type { Role } from "../../../lib/auth/privileges";
import { getProfileChoice, searchProfileChoices } from "../../../lib/profiles/search-profile-choices";
import { getUserChoice, searchUserChoices } from "../../../lib/users/search-user-choices";
import { createTestDb, type TestDb } from "../../harness/db";

let t: TestDb;
let sql: postgres.Sql;
let admin: Actor, manager: Actor, member: Actor;
const tag = crypto.randomUUID().slice(0, 6);

async function makeActor(role: Role, name: string, active = true): Promise<Actor> {
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${tag}@example.com`;
  const [u] = await sql`insert into users (email, name, password_hash, role, active) values (${email}, ${name}, 'x', ${role}, ${active}) returning id`;
  return { id: u.id, email, name, role };
}

beforeAll(async () => {
  t = await createTestDb();
  sql = postgres(t.url, { max: 2, onnotice: () => {} });
  admin = await makeActor("admin", "Ada Admin");
  manager = await makeActor("mailbox_manager", "Max Manager");
  member = await makeActor("member", "Mia Member");
  for (let i = 0; i < 60; i++) await makeActor("member", `Zed ${String(i).padStart(2, "0")}`);
  await makeActor("member", "Yuki 山田");
  await makeActor("member", "Gone Away", false);
  for (const name of ["Gmail shared", "Office 365", "Mail 100%_ok"]) {
    await sql`insert into profiles (name, owner_id, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode, process_email_from)
      values (${name}, ${admin.id}, 'pop3smtp', 'imap', 'h', 'h', 993, 465, true, 'mailbox', '2000-01-01')`;
  }
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

describe("owner picker: users matching a query", () => {
  test("by name or email, case-insensitively, active users only, at most a page", async () => {
    expect((await searchUserChoices(t.db, admin, { query: "mia" })).map((u) => u.name)).toEqual(["Mia Member"]);
    expect((await searchUserChoices(t.db, admin, { query: `MAX.MANAGER.${tag}` })).map((u) => u.name)).toEqual(["Max Manager"]);
    expect((await searchUserChoices(t.db, admin, { query: "山田" })).map((u) => u.name)).toEqual(["Yuki 山田"]);
    expect(await searchUserChoices(t.db, admin, { query: "gone away" })).toEqual([]);
    const zeds = await searchUserChoices(t.db, admin, { query: "zed" });
    expect(zeds.length).toBe(20);
    expect(zeds[0].name).toBe("Zed 00");
    expect((await searchUserChoices(t.db, admin, { query: "%" })).length).toBe(0);
  });

  test("for those who may set an owner; others are refused", async () => {
    expect((await searchUserChoices(t.db, manager, { query: "mia" })).length).toBe(1);
    await expect(searchUserChoices(t.db, member, { query: "mia" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(searchUserChoices(t.db, null, { query: "mia" })).rejects.toMatchObject({ code: "unauthenticated" });
    expect(await getUserChoice(t.db, admin, member.id)).toMatchObject({ name: "Mia Member" });
    expect(await getUserChoice(t.db, admin, "junk")).toBeNull();
    await expect(getUserChoice(t.db, member, member.id)).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("a mailbox's profile picker", () => {
  test("profiles by name, wildcards literal; for mailbox writers who read profiles", async () => {
    expect((await searchProfileChoices(t.db, manager, { query: "GMAIL" })).map((p) => p.name)).toEqual(["Gmail shared"]);
    expect((await searchProfileChoices(t.db, admin, { query: "100%_" })).map((p) => p.name)).toEqual(["Mail 100%_ok"]);
    expect((await searchProfileChoices(t.db, admin, { query: "" })).length).toBe(3);
    await expect(searchProfileChoices(t.db, member, { query: "" })).rejects.toMatchObject({ code: "forbidden" });
    const [p] = await searchProfileChoices(t.db, admin, { query: "office" });
    expect(await getProfileChoice(t.db, manager, p.id)).toEqual(p);
    await expect(getProfileChoice(t.db, member, p.id)).rejects.toMatchObject({ code: "forbidden" });
  });
});
