import crypto from "node:crypto";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import postgres from "postgres";
import type { Actor } from "../../../lib/auth/actor";
import type { Role } from "../../../lib/auth/privileges";
import { getAttachment } from "../../../lib/emails/get-attachment";
import { getEmail } from "../../../lib/emails/get-email";
import { getInlineImages } from "../../../lib/emails/get-inline-images";
import { listEmails } from "../../../lib/emails/list-emails";
import { renderEmailBody } from "../../../lib/emails/render-email-body";
import { createTestDb, type TestDb } from "../../harness/db";
import { storeTestEmail } from "./store-test-email";

let t: TestDb;
let sql: postgres.Sql;
let admin: Actor, manager: Actor, alice: Actor, bob: Actor;
let aliceBox: string, bobBox: string, queueBox: string;

async function makeActor(role: Role, name: string): Promise<Actor> {
  const email = `${name.toLowerCase()}.${crypto.randomUUID().slice(0, 6)}@example.com`;
  const [u] = await sql`insert into users (email, name, password_hash, role) values (${email}, ${name}, 'x', ${role}) returning id`;
  return { id: u.id, email, name, role };
}

async function makeMailbox(owner: Actor, kind: "user" | "queue", name: string): Promise<string> {
  const [m] = await sql`insert into mailboxes (kind, name, email_address, user_id, owner_id)
    values (${kind}, ${name}, ${`${name}@example.com`}, ${kind === "user" ? owner.id : null}, ${owner.id}) returning id`;
  return m.id;
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

beforeAll(async () => {
  t = await createTestDb();
  sql = postgres(t.url, { max: 2, onnotice: () => {} });
  admin = await makeActor("admin", "Ada");
  manager = await makeActor("mailbox_manager", "Max");
  alice = await makeActor("member", "Alice");
  bob = await makeActor("member", "Bob");
  aliceBox = await makeMailbox(alice, "user", "alice");
  bobBox = await makeMailbox(bob, "user", "bob");
  queueBox = await makeMailbox(alice, "queue", "support");
  // 25 messages in Alice's mailbox, stored a minute apart; message i is i minutes old.
  for (let i = 24; i >= 0; i--) {
    const sender = i % 5 === 0 ? { name: "Carol Customer", address: "carol@shop.example" } : { name: "Dan Dealer", address: "dan@supplier.example" };
    await storeTestEmail(sql, aliceBox, { from: sender, to: "alice@example.com", subject: i === 7 ? "Invoice 100%_done for March" : `Update number ${i}`, text: `body ${i}` }, { storedAt: minutesAgo(i) });
  }
  await storeTestEmail(sql, bobBox, { from: "eve@example.com", to: "bob@example.com", subject: "Bob's secret", text: "for Bob only" });
  await storeTestEmail(sql, queueBox, { from: "client@example.com", to: "support@example.com", subject: "Help please", text: "queue mail" });
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

describe("listing a mailbox's mail", () => {
  test("newest first, paged, with the total for the pager", async () => {
    const first = await listEmails(t.db, alice, { mailboxId: aliceBox, pageSize: 10 });
    expect(first.total).toBe(25);
    expect(first.rows.map((r) => r.subject).slice(0, 3)).toEqual(["Update number 0", "Update number 1", "Update number 2"]);
    const third = await listEmails(t.db, alice, { mailboxId: aliceBox, pageSize: 10, page: 3 });
    expect(third.rows.map((r) => r.subject)).toEqual(["Update number 20", "Update number 21", "Update number 22", "Update number 23", "Update number 24"]);
    const all = [...first.rows, ...(await listEmails(t.db, alice, { mailboxId: aliceBox, pageSize: 10, page: 2 })).rows, ...third.rows];
    expect(new Set(all.map((r) => r.id)).size).toBe(25);
    for (let i = 1; i < all.length; i++) expect(all[i - 1].storedAt.getTime()).toBeGreaterThan(all[i].storedAt.getTime());
    expect(first.mailbox).toMatchObject({ id: aliceBox, name: "alice" });
  });

  test("search finds by subject and by sender address or name, case-insensitively; wildcards are literal", async () => {
    const bySubject = await listEmails(t.db, alice, { mailboxId: aliceBox, query: "invoice" });
    expect(bySubject.rows.map((r) => r.subject)).toEqual(["Invoice 100%_done for March"]);
    expect(bySubject.total).toBe(1);
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox, query: "100%_D" })).total).toBe(1);
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox, query: "%" })).total).toBe(1);
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox, query: "_" })).total).toBe(1);

    const byAddress = await listEmails(t.db, alice, { mailboxId: aliceBox, query: "CAROL@shop" });
    expect(byAddress.total).toBe(5);
    expect(byAddress.rows.every((r) => r.fromAddress === "carol@shop.example")).toBe(true);
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox, query: "carol customer" })).total).toBe(5);
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox, query: "dealer" })).total).toBe(20);
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox, query: "nothing like this" })).rows).toEqual([]);
  });

  test("a big mailbox: the count stops at 1,000 (the page shows 1,000+), paging past it still works, newest first", async () => {
    const bulk = await makeMailbox(alice, "queue", "bulk");
    await sql`
      insert into emails (mailbox_id, source_key, message_id, content_hash, from_address, from_name, to_list, subject, text_body, size_bytes, stored_at)
      select ${bulk}, 'imap:1:' || g, '<bulk' || g || '@example.org>', md5(g::text), 'sender@example.org', 'Sender', '[]'::jsonb,
             'Bulk ' || g, 'hi', 100, timestamptz '2025-01-01' + g * interval '1 minute'
        from generate_series(1, 1050) g`;
    const first = await listEmails(t.db, alice, { mailboxId: bulk, pageSize: 50 });
    expect(first).toMatchObject({ total: 1000, totalCapped: true });
    expect(first.rows.map((r) => r.subject).slice(0, 2)).toEqual(["Bulk 1050", "Bulk 1049"]);
    // Past the cap the count reaches one row beyond this page, so the last pages are exact again.
    const last = await listEmails(t.db, alice, { mailboxId: bulk, pageSize: 50, page: 21 });
    expect(last).toMatchObject({ total: 1050, totalCapped: false });
    expect(last.rows.map((r) => r.subject)).toEqual(Array.from({ length: 50 }, (_, i) => `Bulk ${50 - i}`));
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox })).totalCapped).toBe(false);
    // A page past the end shows the last page (not "no mail", not "page 401 of 400"); junk pages never reach the query.
    for (const page of [22, 400, "1e300", "99999999999999999999", Infinity]) {
      const past = await listEmails(t.db, alice, { mailboxId: bulk, pageSize: 50, page });
      expect({ page: past.page, rows: past.rows.length, first: past.rows[0]?.subject }, String(page)).toEqual({ page: 21, rows: 50, first: "Bulk 50" });
    }
    for (const page of ["x", -3, 0, NaN]) expect((await listEmails(t.db, alice, { mailboxId: bulk, pageSize: 50, page })).page, String(page)).toBe(1);
  });

  test("keyset paging: older and newer by cursor walk a big mailbox without gaps or repeats; stale cursors give the first page", async () => {
    const deep = await makeMailbox(alice, "queue", "deep");
    const other = await makeMailbox(bob, "queue", "other");
    await sql`
      insert into emails (mailbox_id, source_key, message_id, content_hash, from_address, from_name, to_list, subject, text_body, size_bytes, stored_at)
      select ${deep}, 'imap:1:' || g, '<deep' || g || '@example.org>', md5(g::text), 'sender@example.org', 'Sender', '[]'::jsonb,
             'Deep ' || g, 'hi', 100, timestamptz '2025-01-01' + (g / 2) * interval '1 minute'
        from generate_series(1, 1210) g`; // two messages per minute: the id breaks the tie
    const seen: number[] = [];
    let list = await listEmails(t.db, alice, { mailboxId: deep, pageSize: 100 });
    expect(list).toMatchObject({ page: 1, newer: null, totalCapped: true });
    for (let page = 2; ; page++) {
      seen.push(...list.rows.map((r) => r.id));
      if (list.older === null) break;
      expect(list.older).toBe(list.rows[list.rows.length - 1].id);
      list = await listEmails(t.db, alice, { mailboxId: deep, pageSize: 100, before: String(list.older), page });
      expect(list.page).toBe(page);
    }
    expect(seen.length).toBe(1210);
    expect(new Set(seen).size).toBe(1210);
    expect(list.rows.map((r) => r.subject).slice(-2)).toEqual(["Deep 2", "Deep 1"]);
    // Back: newer than the first row of the last page is the page before it, in the same order.
    const back = await listEmails(t.db, alice, { mailboxId: deep, pageSize: 100, after: String(list.newer), page: 12 });
    expect(back.rows.map((r) => r.id)).toEqual(seen.slice(1100, 1200));
    expect(back).toMatchObject({ page: 12, newer: seen[1100], older: seen[1199] });
    // Newer than something on the first page is the first page; a cursor from another mailbox or junk too.
    const [otherMail] = await sql`insert into emails (mailbox_id, source_key, content_hash, size_bytes, subject) values (${other}, 'x', 'x', 1, 'not yours') returning id`;
    for (const cursor of [{ after: String(seen[10]) }, { before: String(otherMail.id) }, { before: "junk" }, { after: "-1" }]) {
      const first = await listEmails(t.db, alice, { mailboxId: deep, pageSize: 100, ...cursor });
      expect({ page: first.page, first: first.rows[0].id, newer: first.newer }, JSON.stringify(cursor)).toEqual({ page: 1, first: seen[0], newer: null });
    }
    // The search applies to cursor pages too.
    const found = await listEmails(t.db, alice, { mailboxId: deep, pageSize: 5, query: "deep 12", before: String(seen[0]), page: 2 });
    expect(found.rows.every((r) => r.subject.startsWith("Deep 12"))).toBe(true);
  });

  test("search finds words in the body text, and Japanese words in subject, sender and body", async () => {
    const box = await makeMailbox(alice, "queue", "japanese");
    await storeTestEmail(sql, box, { from: { name: "山田 太郎", address: "yamada@example.jp" }, to: "alice@example.com", subject: "来週の打ち合わせ", text: "お世話になっております。\n請求書を添付いたします。" });
    await storeTestEmail(sql, box, { from: "ops@example.com", to: "alice@example.com", subject: "Weekly figures", text: "The warehouse numbers are attached.\nRegards" });
    const subjects = async (query: string) => (await listEmails(t.db, alice, { mailboxId: box, query })).rows.map((r) => r.subject);
    expect(await subjects("warehouse NUMBERS")).toEqual(["Weekly figures"]);
    expect(await subjects("請求書")).toEqual(["来週の打ち合わせ"]);
    expect(await subjects("打ち合わせ")).toEqual(["来週の打ち合わせ"]);
    // Two characters: looked up among the stored character pairs (no trigram of their own).
    expect(await subjects("山田")).toEqual(["来週の打ち合わせ"]);
    expect(await subjects("添付")).toEqual(["来週の打ち合わせ"]);
    expect(await subjects("来週")).toEqual(["来週の打ち合わせ"]);
    expect(await subjects("見本")).toEqual([]);
    expect(await subjects("書を")).toEqual(["来週の打ち合わせ"]);
    expect(await subjects("太郎")).toEqual(["来週の打ち合わせ"]);
    expect(await subjects("田太")).toEqual([]); // 山田 太郎: a space between

    // A match never spans two fields or two lines of the body.
    expect(await subjects("figures ops")).toEqual([]);
    expect(await subjects("attached. regards")).toEqual([]);
  });

  test("the search's expression is the one the trigram index covers, for Japanese too", async () => {
    await sql`analyze emails`;
    // The database must class CJK characters as letters (see db/embedded.ts), or Japanese has no trigrams.
    expect((await sql`select show_trgm('請求書') as t`)[0].t.length).toBeGreaterThan(0);
    for (const word of ["%invoice%", "%請求書%"]) {
      const plan = await sql.begin(async (tx) => {
        await tx`set local enable_seqscan = off`;
        return tx.unsafe(
          // The expression listEmails sends; without the mailbox condition only this index can serve it.
          `explain select id from emails where lower("emails"."subject" || chr(10) || "emails"."from_address" || ' ' || "emails"."from_name" || chr(10) || coalesce("emails"."text_body", '')) like lower($1)`,
          [word],
        );
      });
      expect(plan.map((r) => Object.values(r)[0]).join("\n"), word).toContain("emails_search_trgm");
    }
    // Two characters have no trigram: listEmails asks the stored pairs, which their own index serves.
    const pairs = await sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      return tx.unsafe(`explain select id from emails where "emails"."search_cjk_bigrams" like $1`, ["% 契約 %"]);
    });
    expect(pairs.map((r) => Object.values(r)[0]).join("\n")).toContain("emails_search_cjk_idx");
    expect((await sql`select mailroom_cjk_bigrams('請求書を送付 abc 山田') as b`)[0].b).toBe(" 請求 求書 書を を送 送付 山田 ");
  });

  test("a member sees only mailboxes they own (their own and their queues); others are not found", async () => {
    expect((await listEmails(t.db, alice, { mailboxId: queueBox })).rows.map((r) => r.subject)).toEqual(["Help please"]);
    await expect(listEmails(t.db, alice, { mailboxId: bobBox })).rejects.toMatchObject({ code: "not_found" });
    await expect(listEmails(t.db, bob, { mailboxId: aliceBox })).rejects.toMatchObject({ code: "not_found" });
    await expect(listEmails(t.db, bob, { mailboxId: "not-a-uuid" })).rejects.toMatchObject({ code: "not_found" });
    await expect(listEmails(t.db, bob, { mailboxId: crypto.randomUUID() })).rejects.toMatchObject({ code: "not_found" });
    await expect(listEmails(t.db, null, { mailboxId: bobBox })).rejects.toMatchObject({ code: "unauthenticated" });
  });

  test("admins and mailbox managers read every mailbox", async () => {
    for (const who of [admin, manager]) {
      expect((await listEmails(t.db, who, { mailboxId: bobBox })).rows.map((r) => r.subject)).toEqual(["Bob's secret"]);
      expect((await listEmails(t.db, who, { mailboxId: aliceBox })).total).toBe(25);
    }
  });
});

describe("reading a message", () => {
  test("headers, text and HTML; the reader's rights are checked on the message too", async () => {
    const { id } = await storeTestEmail(sql, bobBox, {
      from: { name: "Eve Example", address: "eve@example.com" },
      to: [{ name: "Bob", address: "bob@example.com" }],
      cc: "carol@example.com",
      replyTo: "replies@example.com",
      subject: "Quarterly report",
      text: "Plain words",
      html: "<p>Rich <b>words</b></p>",
      date: new Date("2024-05-01T10:00:00Z"),
    });
    const email = await getEmail(t.db, bob, { mailboxId: bobBox, emailId: String(id) });
    expect(email).toMatchObject({
      subject: "Quarterly report",
      fromAddress: "eve@example.com",
      fromName: "Eve Example",
      to: [{ name: "Bob", address: "bob@example.com" }],
      cc: [{ name: "", address: "carol@example.com" }],
      replyTo: [{ name: "", address: "replies@example.com" }],
      textBody: expect.stringContaining("Plain words"),
      htmlBody: "<p>Rich <b>words</b></p>",
      sentAt: new Date("2024-05-01T10:00:00Z"),
      parseError: null,
      oversized: false,
      attachments: [],
    });
    expect(await getEmail(t.db, admin, { mailboxId: bobBox, emailId: String(id) })).toMatchObject({ id });
    await expect(getEmail(t.db, alice, { mailboxId: bobBox, emailId: String(id) })).rejects.toMatchObject({ code: "not_found" });
    // The right message id under the wrong (readable) mailbox is not found either.
    await expect(getEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) })).rejects.toMatchObject({ code: "not_found" });
    await expect(getEmail(t.db, bob, { mailboxId: bobBox, emailId: "1 or 1=1" })).rejects.toMatchObject({ code: "not_found" });
  });

  test("unparsed and oversized messages carry their flags", async () => {
    const broken = await storeTestEmail(sql, aliceBox, { from: "x@example.com", subject: "Broken", text: "?" }, { parseError: "bad MIME" });
    const big = await storeTestEmail(sql, aliceBox, { from: "x@example.com", subject: "Huge", text: "?" }, { oversized: true });
    expect(await getEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(broken.id) })).toMatchObject({ parseError: "bad MIME" });
    expect(await getEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(big.id) })).toMatchObject({ oversized: true, textBody: null, htmlBody: null });
    const list = await listEmails(t.db, alice, { mailboxId: aliceBox, query: "huge" });
    expect(list.rows[0]).toMatchObject({ oversized: true, unparsed: false });
    expect((await listEmails(t.db, alice, { mailboxId: aliceBox, query: "broken" })).rows[0]).toMatchObject({ unparsed: true });
  });
});

describe("attachments", () => {
  const pdf = crypto.randomBytes(200_000);
  const png = crypto.randomBytes(3000);
  let id: number;

  beforeAll(async () => {
    ({ id } = await storeTestEmail(sql, aliceBox, {
      from: "sender@example.com",
      subject: "With files",
      text: "see attached",
      html: '<p>Logo: <img src="cid:logo@mailroom.test"></p>',
      attachments: [
        { filename: "見積書 report.pdf", content: pdf, contentType: "application/pdf" },
        { filename: "notes.txt", content: "line one\r\nline two\r\n", contentType: "text/plain; charset=utf-8" },
        { filename: "logo.png", content: png, contentType: "image/png", cid: "logo@mailroom.test" },
      ],
    }));
  });

  test("each comes back byte-identical from the raw source, with its stored name and type", async () => {
    const email = await getEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) });
    expect(email.attachments.map((a) => a.filename).sort()).toEqual(["logo.png", "notes.txt", "見積書 report.pdf"]);
    const bytes = async (position: number) => {
      const a = await getAttachment(t.db, alice, { mailboxId: aliceBox, emailId: String(id), position: String(position) });
      const chunks: Buffer[] = [];
      for await (const c of a.content) chunks.push(c as Buffer);
      return { ...a, body: Buffer.concat(chunks) };
    };
    const expected: Record<string, Buffer> = { "見積書 report.pdf": pdf, "notes.txt": Buffer.from("line one\r\nline two\r\n"), "logo.png": png };
    for (const a of email.attachments) {
      const got = await bytes(a.position);
      expect(got.filename).toBe(a.filename);
      expect(got.contentType).toBe(a.contentType);
      expect(got.body.equals(expected[a.filename]), a.filename).toBe(true);
    }
  });

  test("a part path that mailparser does not know falls back to the attachment's place in the message", async () => {
    const { id: other } = await storeTestEmail(sql, aliceBox, {
      from: "sender@example.com",
      subject: "Renumbered",
      text: "x",
      attachments: [{ filename: "a.bin", content: Buffer.from("AAA") }, { filename: "b.bin", content: Buffer.from("BBB") }],
    });
    await sql`update email_attachments set part_path = 'other-' || position, position = position + 10 where email_id = ${other}`;
    const b = await getAttachment(t.db, alice, { mailboxId: aliceBox, emailId: String(other), position: "11" });
    expect(await text(b.content)).toBe("BBB");
  });

  test("a message that is one attachment (no multipart) is served too", async () => {
    const content = crypto.randomBytes(1000);
    const raw = [
      "From: scanner@example.com",
      "To: alice@example.com",
      "Subject: Scan",
      "MIME-Version: 1.0",
      "Content-Type: application/pdf; name=scan.pdf",
      "Content-Disposition: attachment; filename=scan.pdf",
      "Content-Transfer-Encoding: base64",
      "",
      content.toString("base64").replace(/.{76}/g, "$&\r\n"),
      "",
    ].join("\r\n");
    const { id: single } = await storeTestEmail(sql, aliceBox, { raw });
    const [{ part_path }] = await sql`select part_path from email_attachments where email_id = ${single}`;
    expect(part_path).toBe("1");
    const a = await getAttachment(t.db, alice, { mailboxId: aliceBox, emailId: String(single), position: "0" });
    const chunks: Buffer[] = [];
    for await (const c of a.content) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  test("others may not download it; unknown positions are not found", async () => {
    await expect(getAttachment(t.db, bob, { mailboxId: aliceBox, emailId: String(id), position: "0" })).rejects.toMatchObject({ code: "not_found" });
    await expect(getAttachment(t.db, bob, { mailboxId: bobBox, emailId: String(id), position: "0" })).rejects.toMatchObject({ code: "not_found" });
    await expect(getAttachment(t.db, alice, { mailboxId: aliceBox, emailId: String(id), position: "9" })).rejects.toMatchObject({ code: "not_found" });
    await expect(getAttachment(t.db, alice, { mailboxId: aliceBox, emailId: String(id), position: "-1" })).rejects.toMatchObject({ code: "not_found" });
    const a = await getAttachment(t.db, manager, { mailboxId: aliceBox, emailId: String(id), position: "0" });
    a.content.resume();
  });

  test("the HTML's cid image is embedded from the raw source; others may not have it", async () => {
    const email = await getEmail(t.db, alice, { mailboxId: aliceBox, emailId: String(id) });
    const logo = email.attachments.find((a) => a.filename === "logo.png")!;
    const pdfRow = email.attachments.find((a) => a.filename.endsWith(".pdf"))!;
    const images = await getInlineImages(t.db, alice, { mailboxId: aliceBox, emailId: String(id), positions: [logo.position, pdfRow.position] });
    const dataUrl = `data:image/png;base64,${png.toString("base64")}`;
    // Only raster images are embedded, never the PDF.
    expect([...images.entries()]).toEqual([[logo.position, dataUrl]]);
    const body = renderEmailBody(email, { allowRemote: false, cidImage: (p) => images.get(p) ?? null });
    expect(body?.html).toBe(`<p>Logo: <img src="${dataUrl}" /></p>`);
    await expect(getInlineImages(t.db, bob, { mailboxId: aliceBox, emailId: String(id), positions: [logo.position] })).rejects.toMatchObject({ code: "not_found" });
  });
});
