import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import postgres from "postgres";
import type { Actor } from "../../../lib/auth/actor";
import type { Role } from "../../../lib/auth/privileges";
import { getRawSource } from "../../../lib/emails/get-raw-source";
import { listQuarantine } from "../../../lib/emails/list-quarantine";
import { reparseEmail } from "../../../lib/emails/reparse-email";
import { createTestDb, type TestDb } from "../../harness/db";
import { storeTestEmail } from "./store-test-email";
import { storeUnparsedEmail } from "./store-unparsed-email";

let t: TestDb;
let sql: postgres.Sql;
let alice: Actor, bob: Actor, manager: Actor;
let aliceBox: string, bobBox: string;

async function makeActor(role: Role, name: string): Promise<Actor> {
  const email = `${name.toLowerCase()}.${crypto.randomUUID().slice(0, 6)}@example.com`;
  const [u] = await sql`insert into users (email, name, password_hash, role) values (${email}, ${name}, 'x', ${role}) returning id`;
  return { id: u.id, email, name, role };
}

async function makeMailbox(owner: Actor, name: string, kind: "user" | "queue" = "user"): Promise<string> {
  const [m] = await sql`insert into mailboxes (kind, name, email_address, user_id, owner_id)
    values (${kind}, ${name}, ${`${name}@example.com`}, ${kind === "user" ? owner.id : null}, ${owner.id}) returning id`;
  return m.id;
}

function storeUnparsed(mailboxId: string, subject: string, attachments = 2) {
  return storeUnparsedEmail(sql, mailboxId, { subject, attachments });
}

beforeAll(async () => {
  t = await createTestDb();
  sql = postgres(t.url, { max: 4, onnotice: () => {} });
  alice = await makeActor("member", "Alice");
  bob = await makeActor("member", "Bob");
  manager = await makeActor("mailbox_manager", "Max");
  aliceBox = await makeMailbox(alice, "alice");
  bobBox = await makeMailbox(bob, "bob");
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

describe("the quarantine list", () => {
  test("lists a mailbox's unparsed and oversized messages with their reasons, and nothing else", async () => {
    const box = await makeMailbox(alice, `list-${crypto.randomUUID().slice(0, 6)}`, "queue");
    await storeTestEmail(sql, box, { from: "ok@example.com", to: "a@example.com", subject: "fine", text: "parsed" });
    const unparsed = await storeUnparsed(box, "broken one");
    const oversized = await storeTestEmail(sql, box, { from: "big@example.com", to: "a@example.com", subject: "huge", text: "x" }, { oversized: true });
    await sql`update emails set size_bytes = 60000000 where id = ${oversized.id}`;

    const list = await listQuarantine(t.db, alice, { mailboxId: box });
    expect(list.total).toBe(2);
    const byId = new Map(list.rows.map((r) => [r.id, r.reason]));
    expect(byId.get(unparsed.id)).toEqual({ kind: "unparsed", detail: "an older parser gave up: Unexpected end of input" });
    expect(byId.get(oversized.id)).toEqual({ kind: "oversized", sizeBytes: 60000000 });
    // Those who may read every mailbox see it too; another member does not (as for the mail list).
    expect((await listQuarantine(t.db, manager, { mailboxId: box })).total).toBe(2);
    await expect(listQuarantine(t.db, bob, { mailboxId: box })).rejects.toMatchObject({ code: "not_found" });
  });
});

test("the quarantine list reads the partial index of flagged messages, not the whole mailbox", async () => {
  // The same predicate and order as listQuarantine (list-quarantine.ts); seq scans off so a small table shows the plan a big one gets.
  const plan = await sql.begin(async (tx) => {
    await tx`set local enable_seqscan = off`;
    return tx`explain select id from emails where mailbox_id = ${aliceBox} and (parse_error is not null or oversized)
      order by stored_at desc nulls last, id desc nulls last limit 50`;
  });
  expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("emails_quarantine_idx");
});

describe("the raw download", () => {
  test("gives the stored source, byte for byte, to whoever may read the mailbox and nobody else", async () => {
    const { id, raw } = await storeUnparsed(aliceBox, "raw please");
    const got = await getRawSource(t.db, alice, { mailboxId: aliceBox, emailId: String(id) });
    expect(got.raw.equals(raw)).toBe(true);
    await expect(getRawSource(t.db, bob, { mailboxId: aliceBox, emailId: String(id) })).rejects.toMatchObject({ code: "not_found" });
    // The right message id under the wrong mailbox is not found either.
    await expect(getRawSource(t.db, bob, { mailboxId: bobBox, emailId: String(id) })).rejects.toMatchObject({ code: "not_found" });
    await expect(getRawSource(t.db, alice, { mailboxId: aliceBox, emailId: "1 or 1=1" })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("parse again", () => {
  test("recognises automatic mail once it parses: an auto-reply stored raw gets its flag and reason", async () => {
    const { id } = await storeTestEmail(
      sql,
      aliceBox,
      { from: "otto@example.com", to: "a@example.com", subject: "Away", text: "back Monday", headers: { "Auto-Submitted": "auto-replied" } },
      { parseError: "an older parser gave up" },
    );
    expect((await sql`select auto_kind from emails where id = ${id}`)[0].auto_kind).toBeNull();
    expect(await reparseEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) })).toEqual({ status: "parsed" });
    expect((await sql`select auto_kind, auto_reason from emails where id = ${id}`)[0]).toEqual({ auto_kind: "auto_reply", auto_reason: "Auto-Submitted: auto-replied" });
  });

  test("fills the parsed fields and attachments, clears the flag, and does it once: the same row, no duplicates", async () => {
    const { id } = await storeUnparsed(aliceBox, "Invoice 7", 2);
    const [{ n: before }] = await sql`select count(*)::int as n from emails where mailbox_id = ${aliceBox}`;

    expect(await reparseEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) })).toEqual({ status: "parsed" });
    const [row] = await sql`select subject, from_address, from_name, text_body, message_id, has_attachments, parse_error from emails where id = ${id}`;
    expect(row).toMatchObject({ subject: "Invoice 7", from_address: "pat@example.com", from_name: "Pat Sender", text_body: "the text of Invoice 7", has_attachments: true, parse_error: null });
    expect(row.message_id).toMatch(/^<.+>$/);
    const files = await sql`select position, filename from email_attachments where email_id = ${id} order by position`;
    expect(files.map((f) => f.filename)).toEqual(["file-0.txt", "file-1.txt"]);

    // Again: nothing to do, nothing doubled.
    expect(await reparseEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) })).toEqual({ status: "already_parsed" });
    const [{ n: after }] = await sql`select count(*)::int as n from emails where mailbox_id = ${aliceBox}`;
    expect(after).toBe(before);
    expect((await sql`select 1 from email_attachments where email_id = ${id}`).length).toBe(2);
    expect((await listQuarantine(t.db, alice, { mailboxId: aliceBox })).rows.map((r) => r.id)).not.toContain(id);
  });

  test("clicks at once: one parses, the others find it done", async () => {
    // A few rounds, so a missing guard cannot hide behind lucky timing.
    for (let round = 0; round < 4; round++) {
      const { id } = await storeUnparsed(aliceBox, `double click ${round}`, 3);
      const outcomes = await Promise.all([0, 1, 2].map(() => reparseEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) })));
      expect(outcomes.map((o) => o.status).sort()).toEqual(["already_parsed", "already_parsed", "parsed"]);
      expect((await sql`select 1 from email_attachments where email_id = ${id}`).length).toBe(3);
    }
  });

  test("a parse that fails again keeps the message in quarantine with the new reason", async () => {
    const { id } = await storeUnparsed(aliceBox, "still broken", 0);
    // A big body and no time to parse it: the current parser gives up (its timeout is its failure mode here).
    await sql`update email_sources set raw = raw || ${Buffer.alloc(4 * 1024 * 1024, "a")} where email_id = ${id}`;
    const outcome = await reparseEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) }, { parseTimeoutMs: 1 });
    expect(outcome).toEqual({ status: "still_failing", reason: "parsing took longer than 1 ms" });
    const [row] = await sql`select parse_error, subject from emails where id = ${id}`;
    expect(row).toEqual({ parse_error: "parsing took longer than 1 ms", subject: "" });
  });

  test("is refused for an oversized message (only its headers are stored) and not found for another member", async () => {
    const big = await storeTestEmail(sql, aliceBox, { from: "big@example.com", to: "a@example.com", subject: "huge", text: "x" }, { oversized: true });
    await expect(reparseEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(big.id) })).rejects.toMatchObject({ code: "invalid", userMessage: { key: "quarantine.error.oversized" } });
    const { id } = await storeUnparsed(aliceBox, "not yours");
    await expect(reparseEmail(t.db, bob, { mailboxId: aliceBox, emailId: String(id) })).rejects.toMatchObject({ code: "not_found" });
    await expect(reparseEmail(t.db, bob, { mailboxId: bobBox, emailId: String(id) })).rejects.toMatchObject({ code: "not_found" });
    expect((await sql`select parse_error from emails where id = ${id}`)[0].parse_error).not.toBeNull();
  });
});
