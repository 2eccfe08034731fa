// The search's CJK character pairs are computed in JavaScript where a message is parsed
// (lib/emails/search-pairs.ts) instead of by Postgres when it is stored: they must be exactly
// what the SQL function mailroom_cjk_bigrams (migration 0015) gives, or a 2-character Japanese
// search would miss mail (or find mail) that the text itself does not.
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { emails } from "../../../db/schema/emails";
import { mailboxes } from "../../../db/schema/mailboxes";
import { cjkBigrams, searchPairs } from "../../../lib/emails/search-pairs";
import { listEmails } from "../../../lib/emails/list-emails";
import { reparseEmail } from "../../../lib/emails/reparse-email";
import { hashSource, parseMessage } from "../../../lib/mail/parse-message";
import { storeMessages, type FetchedMessage } from "../../../lib/sync/store-messages";
import { hostileCorpus } from "../../security/support/hostile-corpus";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertMailbox, insertProfile, insertUser } from "../sync/sync-fixtures";
import type { Dovecot } from "../../harness/dovecot";
import { storeUnparsedEmail } from "./store-unparsed-email";

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));

let t: TestDb;
let ownerId: string;
let profileId: string;
beforeAll(async () => {
  t = await createTestDb();
  ownerId = await insertUser(t.db);
  profileId = await insertProfile(t.db, { dovecot: { ports: { imap: 1143, imaps: 1993, pop3: 1110, pop3s: 1995 } } as unknown as Dovecot, protocol: "imap", ownerId });
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

/** mailroom_cjk_bigrams of each string, and of its lower(), in one query. */
async function sqlPairs(texts: string[]): Promise<{ plain: string; lowered: string }[]> {
  return t.db.execute<{ plain: string; lowered: string }>(sql`
    select mailroom_cjk_bigrams(x) as plain, mailroom_cjk_bigrams(lower(x)) as lowered
      from unnest(${`{${texts.map((x) => `"${x.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`}::text[]) with ordinality as u(x, i) order by i`);
}

/** A deterministic pseudo-random generator (mulberry32): a failure is reproducible. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters at and around every edge of the paired class, and the kinds a search text holds:
// ASCII, upper case with odd lower-casings (İ, ẞ, Σ), full-width Latin, kanji, kana, 々, the long-vowel
// mark, half-width katakana and its neighbours (｡ ･ are outside the class), surrogate pairs (𠀀 is a
// CJK extension B ideograph outside the class, 😀), separators.
const ALPHABET = [
  "a", "Z", " ", "\n", "\t", ".", "İ", "ẞ", "Σ", "Ａ", "ａ", "é",
  "漢", "字", "会", "議", "契", "約", "山", "田", "あ", "ん", "ア", "ン", "ー", "々", "〆", "〇", "・",
  "ｱ", "ｶ", "ﾟ", "ｦ", "ｰ", "｡", "･", "ﾠ", "ﾡ",
  "\u3004", "\u3005", "\u3006", "\u303f", "\u3040", "\u30ff", "\u3100", "\u33ff", "\u3400", "\u4dbf", "\u4dc0",
  "\u4e00", "\u9fff", "\ua000", "\uf8ff", "\uf900", "\ufaff", "\ufb00", "\uff65", "\uff66", "\uff9f", "\uffa0",
  "𠀀", "𪜀", "😀", "👍🏽",
];

test("the JavaScript pairs are exactly mailroom_cjk_bigrams's, on random strings of CJK, kana, 々, half-width katakana and surrogate pairs", async () => {
  const next = random(15);
  const texts = Array.from({ length: 3000 }, () => {
    let s = "";
    const n = Math.floor(next() * 40);
    for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
    return s;
  });
  texts.push("", "会", "会議", "請求書を送付 abc 山田", "ｶﾀｶﾅ々〆", "𠀀会議𠀀");
  const expected = await sqlPairs(texts);
  const wrong = texts.filter((s, i) => cjkBigrams(s) !== expected[i].plain || cjkBigrams(s) !== expected[i].lowered);
  expect(wrong).toEqual([]);
  expect(expected.filter((e) => e.plain.trim() !== "").length).toBeGreaterThan(1000);
});

test("stored messages carry the pairs Postgres would compute (null without any), through the sync's store, the reparse and a 2-character search", async () => {
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId, user: "u", password: "p" });
  const japanese = [
    "From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@example.jp>\r\nSubject: =?UTF-8?B?5p2l6YCx44Gu5omT44Gh5ZCI44KP44Gb?=\r\nMessage-ID: <ja.1@example.jp>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nお世話になっております。\r\n契約書を添付いたします。ｶﾀｶﾅも々も。\r\n",
    "From: Ops <ops@example.com>\r\nSubject: Weekly figures\r\nMessage-ID: <en.1@example.com>\r\n\r\nThe warehouse numbers are attached.\r\n",
    // Mixed: one kanji alone in English text has no pair; the body's pair is the only one.
    "From: Mixed <mixed@example.com>\r\nSubject: Re: 会 meeting\r\nMessage-ID: <mix.1@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nSee you there. 契約\r\n",
  ].map((s) => Buffer.from(s, "utf8"));
  const corpus = [...japanese, ...hostileCorpus().map((m) => m.raw)];
  const messages: FetchedMessage[] = [];
  for (const [i, raw] of corpus.entries()) {
    const parsed = await parseMessage(raw);
    expect(parsed.searchPairs, `message ${i}`).toBe(searchPairs({ subject: parsed.subject, fromAddress: parsed.from?.address ?? "", fromName: parsed.from?.name ?? "", text: parsed.text }));
    // Every other one as built elsewhere (no pairs computed at parse time): the store computes them.
    if (i % 2 === 1) delete parsed.searchPairs;
    messages.push({ sourceKey: `imap:1:${i + 1}`, raw, sizeBytes: raw.length, oversized: false, contentHash: hashSource(raw), parsed });
  }
  await t.db.update(mailboxes).set({ leaseOwner: "w", leaseExpiresAt: new Date(Date.now() + 60_000) }).where(eq(mailboxes.id, mailboxId));
  expect(await storeMessages(t.db, { workerId: "w", leaseMs: 60_000, maxMessageBytes: 10_000_000, alertRecipientIds: [], mailboxId, messages, cursor: {} })).toMatchObject({ inserted: corpus.length });
  const mismatched = async () =>
    (
      await t.db.execute<{ key: string }>(sql`
        select source_key as key from emails where mailbox_id = ${mailboxId} and search_cjk_bigrams is distinct from
          nullif(mailroom_cjk_bigrams(lower(subject || chr(10) || from_address || ' ' || from_name || chr(10) || coalesce(text_body, ''))), '  ')`)
    ).map((r) => r.key);
  expect(await mismatched()).toEqual([]);
  const [counts] = await t.db.execute<{ rows: number; paired: number }>(sql`select count(*)::int as rows, count(search_cjk_bigrams)::int as paired from emails where mailbox_id = ${mailboxId}`);
  expect(counts.paired).toBeGreaterThan(3);
  expect(counts.paired).toBeLessThan(counts.rows);

  // 2-character searches over mixed rows: Japanese mail found, English (null pairs) not, a lone kanji is no pair.
  const actor = { id: ownerId, email: "owner@example.com", name: "Owner", role: "admin" as const };
  const subjects = async (query: string) => (await listEmails(t.db, actor, { mailboxId, query, pageSize: 200 })).rows.map((r) => r.subject).sort();
  expect(await subjects("契約")).toEqual(["Re: 会 meeting", "来週の打ち合わせ"]);
  expect(await subjects("山田")).toEqual(["来週の打ち合わせ"]);
  expect(await subjects("ｶﾀ")).toEqual(["来週の打ち合わせ"]);
  expect(await subjects("会議")).toEqual([]);
  expect(await subjects("warehouse")).toEqual(["Weekly figures"]);

  // "Parse again" of a quarantined message writes its pairs with its text.
  const client = postgres(t.url, { max: 1, onnotice: () => {} });
  try {
    const { id } = await storeUnparsedEmail(client, mailboxId, { subject: "見積書の件", text: "ご確認ください" });
    expect(await subjects("見積")).toEqual([]);
    expect(await reparseEmail(t.db, actor, { mailboxId, emailId: String(id) })).toEqual({ status: "parsed" });
    const [row] = await t.db.select({ pairs: emails.searchCjkBigrams }).from(emails).where(eq(emails.id, id));
    expect(row.pairs).toBe(" 見積 積書 書の の件 ご確 確認 認く くだ ださ さい ");
    expect(await subjects("見積")).toEqual(["見積書の件"]);
    expect(await mismatched()).toEqual([]);
  } finally {
    await client.end();
  }
});
