// A corpus of 300+ malformed and hostile messages delivered to Dovecot and synced by a real
// worker process: the worker never crashes, every message is stored once, parsed or kept raw
// and flagged with the reason, and every stored message can be opened and rendered.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { generateSecretKey } from "../../lib/crypto/generate-secret-key";
import { getEmail } from "../../lib/emails/get-email";
import { renderEmailBody } from "../../lib/emails/render-email-body";
import { createTestDb, type TestDb } from "../harness/db";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { createTestPki } from "../harness/tls";
import { makeActor } from "../integration/mailboxes/fixtures";
import { insertMailbox, insertProfile } from "../integration/sync/sync-fixtures";
import { startWorker, waitFor, type WorkerProcess } from "../integration/sync/worker-process";
import { figure } from "../reliability/support/fault-kit";
import { hostileCorpus } from "./support/hostile-corpus";

const pki = createTestPki();
const secretKey = generateSecretKey("hostile");
vi.stubEnv("MAILROOM_SECRET_KEY", secretKey);
vi.stubEnv("MAILROOM_EXTRA_CA_FILE", pki.caFile);

let t: TestDb;
let dovecot: Dovecot;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  [t, dovecot] = await Promise.all([createTestDb(), startDovecot({ pki })]);
});
afterAll(async () => {
  await worker?.stop();
  await dovecot?.destroy();
  await t?.close();
  vi.unstubAllEnvs();
});

test("300+ malformed and hostile messages: 0 worker crashes, each stored once (parsed, or raw and flagged with the reason), each opens and renders", async () => {
  const corpus = hostileCorpus();
  expect(corpus.length).toBeGreaterThanOrEqual(300);
  const admin = await makeActor(t.db, "admin");
  await dovecot.addUser("hostile", "hostile-pw");
  // A fixed arrival time: some of the corpus has no usable Date header on purpose.
  await dovecot.deliverMany("hostile", corpus.map((m) => m.raw), { date: new Date("2026-02-01T00:00:00Z") });
  const profileId = await insertProfile(t.db, { dovecot, protocol: "imap", ownerId: admin.id });
  const mailboxId = await insertMailbox(t.db, { profileId, ownerId: admin.id, user: "hostile", password: "hostile-pw" });

  const started = Date.now();
  worker = await startWorker({ DATABASE_URL: t.url, MAILROOM_SECRET_KEY: secretKey, MAILROOM_EXTRA_CA_FILE: pki.caFile, LOG_LEVEL: "info" });
  await waitFor("the corpus to be synced", async () => {
    const [m] = await t.db.execute<{ last: number | null; lease: string | null }>(sql`select imap_last_uid::int as last, lease_owner as lease from mailboxes where id = ${mailboxId}`);
    return m.last === corpus.length && m.lease === null;
  }, 240_000);
  const seconds = (Date.now() - started) / 1000;

  // The worker is alive and logged no crash.
  expect(worker.child.exitCode).toBeNull();
  expect(worker.output()).not.toMatch(/worker crashed|sync crashed|worker step failed/);
  const [box] = await t.db.execute<{ failures: number; error: string | null }>(sql`select consecutive_failures as failures, last_error as error from mailboxes where id = ${mailboxId}`);
  expect(box).toEqual({ failures: 0, error: null });

  // Each message once, by its UID (= its place in the corpus), with its raw source.
  const rows = await t.db.execute<{ id: number; uid: number; parse_error: string | null; size_bytes: number; raw_bytes: number | null }>(sql`
    select e.id::int, split_part(e.source_key, ':', 3)::int as uid, e.parse_error, e.size_bytes, length(s.raw)::int as raw_bytes
      from emails e left join email_sources s on s.email_id = e.id where e.mailbox_id = ${mailboxId} order by uid`);
  expect(rows.length).toBe(corpus.length);
  expect(rows.map((r) => r.uid)).toEqual(corpus.map((_, i) => i + 1));
  // The search's CJK pairs, computed by the worker where each message was parsed, are what Postgres's own
  // function gives for the stored search text (null where it has no pair), Japanese charsets included.
  const [pairs] = await t.db.execute<{ wrong: string[]; japanese: number }>(sql`
    select coalesce(array_agg(source_key) filter (where search_cjk_bigrams is distinct from
             nullif(mailroom_cjk_bigrams(lower(subject || chr(10) || from_address || ' ' || from_name || chr(10) || coalesce(text_body, ''))), '  ')), '{}') as wrong,
           count(search_cjk_bigrams)::int as japanese
      from emails where mailbox_id = ${mailboxId}`);
  expect(pairs.wrong).toEqual([]);
  expect(pairs.japanese).toBeGreaterThan(3);
  const byCategory: Record<string, { parsed: number; flagged: number }> = {};
  const reasons = new Set<string>();
  for (const [i, r] of rows.entries()) {
    const m = corpus[i];
    const where = `${m.category}: ${m.name}`;
    expect(r.raw_bytes, `${where} keeps its raw source`).not.toBeNull();
    expect(r.raw_bytes, `${where} raw source is whole`).toBeGreaterThanOrEqual(Math.min(m.raw.length, r.size_bytes) - 2 * (m.raw.toString("latin1").match(/\0/g)?.length ?? 0));
    const c = (byCategory[m.category] ??= { parsed: 0, flagged: 0 });
    if (r.parse_error === null) c.parsed++;
    else {
      c.flagged++;
      expect(r.parse_error.trim().length, `${where} is flagged with a reason`).toBeGreaterThan(0);
      reasons.add(r.parse_error.slice(0, 80));
    }
    // A person can open it: the message page's data and its sanitised body.
    const view = await getEmail(t.db, admin, { mailboxId, emailId: String(r.id) });
    expect(typeof view.subject, where).toBe("string");
    const body = renderEmailBody(view, { allowRemote: false });
    if (body) expect(body.html, where).not.toMatch(/<script|onerror=|javascript:/i);
  }
  const flagged = Object.values(byCategory).reduce((n, c) => n + c.flagged, 0);
  figure("hostile-input", `${corpus.length} messages (${(corpus.reduce((n, m) => n + m.raw.length, 0) / 1e6).toFixed(1)} MB) synced in ${seconds.toFixed(1)} s by one worker: 0 crashes; ${corpus.length - flagged} parsed, ${flagged} stored raw and flagged; ` +
    Object.entries(byCategory).map(([k, v]) => `${k} ${v.parsed}+${v.flagged}`).join(", ") + (reasons.size ? `; reasons: ${[...reasons].join(" | ")}` : ""));
}, 300_000);
