// An embedded data folder initialised before db/embedded.ts set a UTF-8 ctype is SQL_ASCII / C:
// there Postgres sees no CJK characters, so neither trigrams nor the stored character pairs hold
// Japanese words. Search must still find them (by reading the text), not answer "no mail".
import postgres from "postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { inject } from "vitest";
import { createDb } from "../../../db/client";
import { runMigrations } from "../../../db/migrate";
import { listEmails } from "../../../lib/emails/list-emails";
import { withDatabase } from "../../harness/postgres-server";

const name = `mailroom_ascii_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
let admin: postgres.Sql;
let url: string;

beforeAll(async () => {
  admin = postgres(inject("pgAdminUrl"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}" template template0 encoding 'SQL_ASCII' lc_collate 'C' lc_ctype 'C'`);
  url = withDatabase(inject("pgAdminUrl"), name);
  await runMigrations(url);
});
afterAll(async () => {
  await admin?.unsafe(`drop database if exists "${name}" with (force)`);
  await admin?.end();
});

test("a SQL_ASCII database: two- and three-character Japanese searches still find the mail", async () => {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const { db, close } = createDb(url, { max: 2 });
  try {
    const [u] = await sql`insert into users (email, name, password_hash, role) values ('a@example.com', 'A', 'x', 'admin') returning id`;
    const [m] = await sql`insert into mailboxes (kind, name, email_address, owner_id) values ('queue', 'q', 'q@example.com', ${u.id}) returning id`;
    await sql`insert into emails (mailbox_id, source_key, content_hash, size_bytes, subject, text_body) values (${m.id}, 'k', 'h', 1, '会議のお知らせ', '請求書を送付します')`;
    const actor = { id: u.id as string, email: "a@example.com", name: "A", role: "admin" as const };
    for (const query of ["会議", "送付", "請求書"]) expect((await listEmails(db, actor, { mailboxId: m.id, query })).rows.length, query).toBe(1);
    expect((await listEmails(db, actor, { mailboxId: m.id, query: "見本" })).rows.length).toBe(0);
  } finally {
    await close();
    await sql.end();
  }
});
