import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { listEmails } from "../../../lib/emails/list-emails";
import { afterAll, beforeAll, expect, test } from "vitest";
import { emails, emailSources } from "../../../db/schema/emails";
import { mailboxes } from "../../../db/schema/mailboxes";
import { createIngestToken } from "../../../lib/ingest/create-ingest-token";
import { ingestMessage, type IngestInput } from "../../../lib/ingest/ingest-message";
import { IngestRefusal } from "../../../lib/ingest/ingest-refusal";
import { readLimitedBody } from "../../../lib/ingest/read-limited-body";
import { revokeIngestToken } from "../../../lib/ingest/revoke-ingest-token";
import { hashSource } from "../../../lib/mail/parse-message";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, type Actors } from "../profiles/test-actors";
import { testMessage } from "../sync/sync-fixtures";

let t: TestDb;
let actors: Actors;
let routerBox: string;
let syncBox: string;
let token: string;
let syncToken: string;
const MAX = 64 * 1024;

beforeAll(async () => {
  t = await createTestDb();
  actors = await insertActors(t.db);
  const insert = async (name: string, delivery: "email_router" | "server_side_sync") => {
    const [m] = await t.db.insert(mailboxes).values({ kind: "queue", name, emailAddress: `${name}@example.com`, ownerId: actors.member.id, incomingDelivery: delivery }).returning({ id: mailboxes.id });
    return m.id;
  };
  routerBox = await insert("router", "email_router");
  syncBox = await insert("synced", "server_side_sync");
  token = await createIngestToken(t.db, actors.manager, { mailboxId: routerBox });
  syncToken = await createIngestToken(t.db, actors.admin, { mailboxId: syncBox });
});
afterAll(async () => t?.close());

const body = (raw: string | Buffer) => async () => (typeof raw === "string" ? Buffer.from(raw) : raw);
const ingest = (over: Partial<IngestInput> & { raw?: string | Buffer }) =>
  ingestMessage(t.db, { mailboxId: routerBox, token, readBody: body(over.raw ?? testMessage(1, { tag: "r" })), maxMessageBytes: MAX, ...over });
const stored = async (mailboxId = routerBox) => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from emails where mailbox_id = ${mailboxId}`))[0].n;
async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number }> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(IngestRefusal);
  return { code: (err as IngestRefusal).code, status: (err as IngestRefusal).status };
}

test("a token is shown once and only its hash is stored; only mailbox:write may create or revoke one", async () => {
  expect(token).toMatch(/^mri_[A-Za-z0-9_-]{43}$/);
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, routerBox));
  expect(m.ingestTokenHash).toMatch(/^[0-9a-f]{64}$/);
  expect(JSON.stringify(m)).not.toContain(token.slice(4));
  await expect(createIngestToken(t.db, actors.member, { mailboxId: routerBox })).rejects.toMatchObject({ code: "forbidden" });
  await expect(revokeIngestToken(t.db, actors.member, { mailboxId: routerBox })).rejects.toMatchObject({ code: "forbidden" });
  await expect(createIngestToken(t.db, actors.admin, { mailboxId: randomUUID() })).rejects.toMatchObject({ code: "not_found" });
});

test("a handed-in message is stored once with its source, arrival and hash key; the same bytes again give the same id", async () => {
  const raw = testMessage(1, { tag: "r" }).replace("From:", "Received: from mx.example.org by mail.example.com; Tue, 01 Dec 2026 09:00:00 +0000\r\nFrom:");
  const first = await ingest({ raw });
  expect(first.duplicate).toBe(false);
  const [e] = await t.db.select().from(emails).where(eq(emails.id, first.id));
  expect(e).toMatchObject({ mailboxId: routerBox, sourceKey: `router:${hashSource(Buffer.from(raw))}`, subject: "r message 1", fromAddress: "sender1@example.org", parseError: null });
  expect(e.arrivedAt?.toISOString()).toBe("2026-12-01T09:00:00.000Z");
  const [src] = await t.db.select().from(emailSources).where(eq(emailSources.emailId, first.id));
  expect(Buffer.from(src.raw).toString()).toBe(raw);

  const again = await ingest({ raw });
  expect(again).toEqual({ id: first.id, duplicate: true, threadId: first.threadId, threadMethod: "new", automatic: null, bounced: [] });
  // Two routers handing the same message in at once still store it once.
  const raced = await Promise.all([ingest({ raw: testMessage(2, { tag: "r" }) }), ingest({ raw: testMessage(2, { tag: "r" }) })]);
  expect(raced[0].id).toBe(raced[1].id);
  // Message 2 answers message 1: the answer says which conversation it joined and how.
  expect(raced[0]).toMatchObject({ threadId: first.threadId, threadMethod: "in_reply_to", automatic: null });
  expect(await stored()).toBe(2);
  const runs = await t.db.execute<{ protocol: string; stored: number }>(sql`select protocol, stored from sync_runs where mailbox_id = ${routerBox} order by id`);
  expect(runs.map((r) => r.protocol)).toEqual(["router", "router", "router", "router"]);
  expect(runs.reduce((n, r) => n + r.stored, 0)).toBe(2);
});

test("a handed-in Japanese message stores its search's CJK pairs: a 2-character word finds it", async () => {
  const raw = Buffer.from("From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@example.jp>\r\nSubject: =?UTF-8?B?6KaL56mN5pu444Gu5Lu2?=\r\nMessage-ID: <ja.ingest@example.jp>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n契約書を添付いたします。\r\n", "utf8");
  const { id } = await ingest({ raw });
  const [e] = await t.db.select({ subject: emails.subject, pairs: emails.searchCjkBigrams }).from(emails).where(eq(emails.id, id));
  expect(e).toEqual({ subject: "見積書の件", pairs: " 見積 積書 書の の件 山田 太郎 契約 約書 書を を添 添付 付い いた たし しま ます " });
  for (const query of ["見積", "太郎", "添付"]) expect((await listEmails(t.db, actors.admin, { mailboxId: routerBox, query })).rows.map((r) => r.id), query).toEqual([id]);
});

test("each refusal has its own code and status, and stores nothing", async () => {
  const before = await stored();
  const fresh = () => testMessage(Math.floor(Math.random() * 1e9), { tag: "x" });
  expect(await refusal(ingest({ token: "mri_wrong", raw: fresh() }))).toEqual({ code: "bad_token", status: 401 });
  expect(await refusal(ingest({ token: null, raw: fresh() }))).toEqual({ code: "bad_token", status: 401 });
  // Another mailbox's token does not open this one.
  expect(await refusal(ingest({ token: syncToken, raw: fresh() }))).toEqual({ code: "bad_token", status: 401 });
  expect(await refusal(ingest({ mailboxId: randomUUID(), raw: fresh() }))).toEqual({ code: "unknown_mailbox", status: 404 });
  expect(await refusal(ingest({ mailboxId: "not-a-uuid", raw: fresh() }))).toEqual({ code: "unknown_mailbox", status: 404 });
  expect(await refusal(ingest({ mailboxId: syncBox, token: syncToken, raw: fresh() }))).toEqual({ code: "not_router", status: 409 });
  expect(await refusal(ingest({ raw: fresh() + "x".repeat(MAX) }))).toEqual({ code: "too_large", status: 413 });
  expect(await refusal(ingest({ raw: "hello, this is not an email\r\n" }))).toEqual({ code: "not_a_message", status: 422 });
  expect(await refusal(ingest({ raw: "" }))).toEqual({ code: "not_a_message", status: 422 });
  expect(await refusal(ingest({ raw: "Subject: no sender\r\n\r\nbody\r\n" }))).toEqual({ code: "not_a_message", status: 422 });
  expect(await stored()).toBe(before);
  expect(await stored(syncBox)).toBe(0);
});

test("the body is not read for a refused caller, and reading stops at the limit", async () => {
  let read = false;
  const readBody = async () => ((read = true), Buffer.from(testMessage(9)));
  await refusal(ingest({ token: "mri_wrong", readBody }));
  expect(read).toBe(false);

  // A declared length over the limit is refused before reading; a stream is cut as it passes the limit.
  await expect(readLimitedBody(null, String(MAX + 1), MAX)).rejects.toMatchObject({ code: "too_large" });
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({ pull: (c) => (pulled++, c.enqueue(new Uint8Array(16 * 1024))) });
  await expect(readLimitedBody(endless, null, MAX)).rejects.toMatchObject({ code: "too_large" });
  expect(pulled).toBeLessThan(8);
});

test("a revoked token is refused; a new one works and the old one does not", async () => {
  await revokeIngestToken(t.db, actors.admin, { mailboxId: routerBox });
  expect(await refusal(ingest({ raw: testMessage(3, { tag: "r" }) }))).toEqual({ code: "bad_token", status: 401 });
  const renewed = await createIngestToken(t.db, actors.admin, { mailboxId: routerBox });
  expect(await ingest({ token: renewed, raw: testMessage(3, { tag: "r" }) })).toMatchObject({ duplicate: false });
  const second = await createIngestToken(t.db, actors.admin, { mailboxId: routerBox });
  expect(await refusal(ingest({ token: renewed, raw: testMessage(4, { tag: "r" }) }))).toEqual({ code: "bad_token", status: 401 });
  expect(await ingest({ token: second, raw: testMessage(4, { tag: "r" }) })).toMatchObject({ duplicate: false });
});
