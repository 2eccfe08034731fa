import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { emailAttachments, emails } from "../../../db/schema/emails";
import { mailboxes } from "../../../db/schema/mailboxes";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { hashSource, parseMessage } from "../../../lib/mail/parse-message";
import { LeaseLostError, storeMessages, type FetchedMessage } from "../../../lib/sync/store-messages";
import { createTestDb, type TestDb } from "../../harness/db";
import type { Dovecot } from "../../harness/dovecot";
import { insertMailbox, insertProfile, insertUser, storedCounts, testMessage } from "./sync-fixtures";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

let t: TestDb;
let ownerId: string;
let profileId: string;
const fakeDovecot = { ports: { imap: 1143, imaps: 1993, pop3: 1110, pop3s: 1995 } } as unknown as Dovecot;
beforeAll(async () => {
  t = await createTestDb();
  ownerId = await insertUser(t.db);
  profileId = await insertProfile(t.db, { dovecot: fakeDovecot, protocol: "imap", ownerId });
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

async function leasedMailbox(workerId: string): Promise<string> {
  const id = await insertMailbox(t.db, { profileId, ownerId, user: "u", password: "p" });
  await t.db.update(mailboxes).set({ leaseOwner: workerId, leaseExpiresAt: new Date(Date.now() + 60_000) }).where(eq(mailboxes.id, id));
  return id;
}

async function fetched(key: string, raw: string): Promise<FetchedMessage> {
  const buf = Buffer.from(raw);
  return { sourceKey: key, raw: buf, sizeBytes: buf.length, oversized: false, contentHash: hashSource(buf), parsed: await parseMessage(buf) };
}

const base = { workerId: "w", leaseMs: 60_000, maxMessageBytes: 1_000_000, alertRecipientIds: [] as string[] };

test("storing the same batch twice stores each message once; the same message in two mailboxes is stored in both", async () => {
  const a = await leasedMailbox("w");
  const b = await leasedMailbox("w");
  const withAttachment = [
    "From: a@example.org", "Subject: with attachment", "Message-ID: <att@x>", "Content-Type: multipart/mixed; boundary=B", "",
    "--B", "Content-Type: text/plain", "", "see attached", "--B", "Content-Type: text/csv; name=data.csv", "Content-Disposition: attachment; filename=data.csv", "", "a,b", "--B--", "",
  ].join("\r\n");
  const batch = [await fetched("imap:1:1", testMessage(1)), await fetched("imap:1:2", withAttachment)];
  expect(await storeMessages(t.db, { ...base, mailboxId: a, messages: batch, cursor: { imapUidValidity: 1, imapLastUid: 2 } })).toEqual({ inserted: 2, adopted: 0, skipped: 0 });
  expect(await storeMessages(t.db, { ...base, mailboxId: a, messages: batch, cursor: { imapLastUid: 2 } })).toEqual({ inserted: 0, adopted: 0, skipped: 2 });
  expect(await storeMessages(t.db, { ...base, mailboxId: b, messages: batch, cursor: {} })).toMatchObject({ inserted: 2 });
  expect(await storedCounts(t.db, a)).toEqual({ rows: 2, ids: 2, sources: 2 });
  expect(await storedCounts(t.db, b)).toEqual({ rows: 2, ids: 2, sources: 2 });
  const [row] = await t.db.select().from(emails).where(sql`${emails.mailboxId} = ${a} and ${emails.messageId} = '<att@x>'`);
  expect(row.hasAttachments).toBe(true);
  expect(await t.db.select().from(emailAttachments).where(eq(emailAttachments.emailId, row.id))).toMatchObject([
    { position: 0, filename: "data.csv", contentType: "text/csv", partPath: "2", sizeBytes: 3 },
  ]);
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, a));
  expect(m).toMatchObject({ imapUidValidity: 1, imapLastUid: 2 });
});

test("a worker whose lease was taken over writes nothing, cursor included", async () => {
  const id = await leasedMailbox("someone-else");
  await expect(storeMessages(t.db, { ...base, mailboxId: id, messages: [await fetched("imap:1:1", testMessage(1))], cursor: { imapLastUid: 1 } })).rejects.toBeInstanceOf(LeaseLostError);
  expect(await storedCounts(t.db, id)).toMatchObject({ rows: 0 });
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, id));
  expect(m.imapLastUid).toBeNull();
});

test("a message the database refuses as parsed is stored raw and flagged, and the rest of its batch and the cursor still commit", async () => {
  const id = await leasedMailbox("w");
  const bad = await fetched("imap:1:2", testMessage(2));
  // Too long for the Message-ID index, even compressed.
  bad.parsed.messageId = `<${randomBytes(9000).toString("base64")}@example.org>`;
  const batch = [await fetched("imap:1:1", testMessage(1)), bad, await fetched("imap:1:3", testMessage(3))];
  expect(await storeMessages(t.db, { ...base, mailboxId: id, messages: batch, cursor: { imapLastUid: 3 }, alertRecipientIds: [ownerId] })).toMatchObject({ inserted: 3 });
  const rows = await t.db.select().from(emails).where(eq(emails.mailboxId, id)).orderBy(emails.sourceKey);
  expect(rows.map((r) => r.parseError === null)).toEqual([true, false, true]);
  expect(rows[1]).toMatchObject({ messageId: null, subject: "t message 2" });
  expect(rows[1].parseError).toMatch(/could not be stored as parsed \(54000/);
  const [m] = await t.db.select().from(mailboxes).where(eq(mailboxes.id, id));
  expect(m).toMatchObject({ imapLastUid: 3, syncProgressDone: 3 });
  expect(await t.db.select({ title: alerts.title }).from(alerts).where(eq(alerts.mailboxId, id))).toEqual([{ title: "A message could not be parsed" }]);
});

test("a large source and body are stored compressed with lz4 where the server has it (migration 0023), read back byte for byte", async () => {
  const id = await leasedMailbox("w");
  const body = Array.from({ length: 400 }, (_, i) => `Line ${i} of the quarterly report, 請求書 ${i % 17}.`).join("\r\n");
  const raw = `From: big@example.org\r\nSubject: compressible\r\nMessage-ID: <lz4@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
  expect(await storeMessages(t.db, { ...base, mailboxId: id, messages: [await fetched("imap:9:1", raw)], cursor: {} })).toMatchObject({ inserted: 1 });
  const [{ lz4 }] = await t.db.execute<{ lz4: boolean }>(sql`select 'lz4' = any((select enumvals from pg_settings where name = 'default_toast_compression')::text[]) as lz4`);
  const [r] = await t.db.execute<{ source: string | null; text: string | null; same: boolean }>(sql`
    select pg_column_compression(s.raw) as source, pg_column_compression(e.text_body) as text, s.raw = ${Buffer.from(raw)} as same
      from emails e join email_sources s on s.email_id = e.id where e.mailbox_id = ${id}`);
  expect(r).toEqual({ source: lz4 ? "lz4" : "pglz", text: lz4 ? "lz4" : "pglz", same: true });
});
