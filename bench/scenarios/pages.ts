import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { freePort } from "../../db/embedded";
import { listEmails } from "../../lib/emails/list-emails";
import { loadActor } from "../../lib/users/load-actor";
import { buildIsStale } from "../../scripts/build-freshness";
import { cpuSecondsOf, groupPids } from "../lib/procs";
import { insertIncomingProfile, insertMailboxes, insertUser } from "../lib/rows";
import type { Scenario } from "../lib/scenario";
import { percentile, round, sleep } from "../lib/stats";
import { buildStaleProcesses, builtEntry } from "../../scripts/build-processes";

const root = path.resolve(import.meta.dirname, "../..");
const COOKIE = "authjs.session-token"; // plain HTTP on loopback: no __Secure- prefix

type Load = { requests: number; errors: number; statuses: Record<string, number>; p50: number; p95: number; p99: number; max: number; rps: number; bytes: number };

/** `clients` signed-in clients, each requesting `url` again as soon as the last answer arrived, for `seconds`. */
async function load(url: string, cookie: string, clients: number, seconds: number, expectStatus = 200): Promise<Load> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          // As a browser asks: compressed, so gzip is part of what is measured.
          const res = await fetch(url, { headers: { cookie, "accept-encoding": "gzip" }, redirect: "manual" });
          const body = await res.text();
          latencies.push(performance.now() - t);
          bytes = body.length;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status !== expectStatus || body.length < 500) errors++;
        } catch {
          errors++;
          statuses.exception = (statuses.exception ?? 0) + 1;
        }
      }
    }),
  );
  return {
    requests: latencies.length,
    errors,
    statuses,
    p50: round(percentile(latencies, 50), 1),
    p95: round(percentile(latencies, 95), 1),
    p99: round(percentile(latencies, 99), 1),
    max: round(Math.max(...latencies), 1),
    rps: round(latencies.length / seconds, 1),
    bytes,
  };
}

const loadavg = () => os.loadavg().map((l) => round(l, 2));

/** Words the search measurement looks for: English and Japanese, in senders, subjects and bodies. */
const JA_WORDS = ["会議の議事録", "請求書", "見積もり", "出張報告", "新製品", "契約更新", "年末調整", "打ち合わせ"];
const SEARCHES = ["sender123", "Sender 42", "report 9999", "quarterly", "invoice", "請求書", "議事録", "出張報告", "契約", "見本", "山田", "zzznomatch", "年末調整のお知らせ"];

/**
 * Every list page and the message page under 20 concurrent signed-in clients, against the
 * app as it is served (scripts/web-server.ts, what `npm start` and Playwright run, on a
 * production build), with a bare Next page (the 404 page: root layout, no session, no query)
 * measured in the same run before and after as the floor. Data: 10,000 mailboxes, 100,000
 * messages in one of them (English and Japanese words in senders, subjects and bodies),
 * 10,000 sent emails, 1,000 users, 300 profiles, 500 alerts. Search is measured on its own
 * (listEmails with a query, one at a time, over the 100,000 messages).
 * The session cookie is minted with next-auth's own `encode` and the server's AUTH_SECRET.
 */
export const pages: Scenario = {
  name: "pages",
  async run(ctx) {
    const mailboxCount = ctx.quick ? 1000 : 10_000;
    const messageCount = ctx.quick ? 10_000 : 100_000;
    const clients = ctx.quick ? 5 : 20;
    const seconds = ctx.quick ? 3 : Number(process.env.BENCH_PAGES_SECONDS ?? 15);
    if (buildIsStale(root)) {
      ctx.log("pages: building the app (under the shared build lock)");
      execFileSync("flock", [path.join(root, ".build.lock"), path.join(root, "node_modules/.bin/next"), "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    }
    const bench = await ctx.pg.freshDb("pages");
    const authSecret = crypto.randomBytes(32).toString("base64url");
    const port = await freePort();
    const serverEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", DATABASE_URL: bench.url, AUTH_SECRET: authSecret, MAILROOM_SECRET_KEY: ctx.secretKey, MAILROOM_EXTRA_CA_FILE: ctx.pki.caFile };
    if (process.env.MAILROOM_WEB_PROCESSES) serverEnv.MAILROOM_WEB_PROCESSES = process.env.MAILROOM_WEB_PROCESSES;
    // The web server `npm start` runs (not a bare `next start`), as npm start runs it.
    // BENCH_CPU_PROF=<folder>: every web process writes a V8 CPU profile there when it stops (cluster forks inherit the flag).
    const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    await buildStaleProcesses(root, undefined, ["web"]);
    const server = spawn(process.execPath, [...profile, builtEntry(root, "web"), "-p", String(port), "-H", "127.0.0.1"], {
      cwd: root,
      env: serverEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    server.stdout!.on("data", (d) => (out = (out + d).slice(-20_000)));
    server.stderr!.on("data", (d) => (out = (out + d).slice(-20_000)));
    try {
      const admin = await insertUser(bench.db, "admin");
      const profileId = await insertIncomingProfile(bench.db, { ownerId: admin.id, protocol: "imap", port: 993 });
      ctx.log(`pages: ${mailboxCount} mailboxes, ${messageCount} messages`);
      const [mailboxId] = await insertMailboxes(bench.db, Array.from({ length: mailboxCount }, () => ({ profileId, ownerId: admin.id, user: "u", password: "p", nextSyncAt: null, incoming: false })));
      const ja = sql.raw(`array[${JA_WORDS.map((w) => `'${w}'`).join(",")}]`);
      await bench.db.execute(sql`
        insert into emails (mailbox_id, source_key, message_id, content_hash, from_address, from_name, to_list, subject, sent_at, text_body, size_bytes, stored_at,
                            search_cjk_bigrams)
        -- The CJK pairs as the application stores them (lib/emails/search-pairs.ts): the SQL function's output, null without any.
        select r.*, nullif(mailroom_cjk_bigrams(lower(r.subject || chr(10) || r.from_address || ' ' || r.from_name || chr(10) || r.text_body)), '  ')
          from (
        select ${mailboxId}::uuid, 'imap:1:' || g, '<p' || g || '@example.org>', md5(g::text) || md5(g::text), 'sender' || (g % 500) || '@example.org' as from_address,
               case when g % 3 = 0 then '山田 ' || (g % 500) else 'Sender ' || (g % 500) end as from_name,
               '[{"name":"Alice","address":"alice@example.com"}]'::jsonb,
               case when g % 4 = 0 then (${ja})[g % 8 + 1] || 'について ' || g else 'Quarterly report ' || g || ' ' || md5(g::text) end as subject,
               timestamptz '2025-01-01' + g * interval '1 minute',
               repeat('Hello there, please find the figures below. ', 8) || (${ja})[g % 7 + 1] || ' invoice ' || md5((g * 7)::text) || E'\n' || repeat('お世話になっております。よろしくお願いいたします。', 3) as text_body,
               4096, timestamptz '2025-01-01' + g * interval '1 minute'
          from generate_series(1, ${messageCount}) g) r`);
      const [{ emailId }] = await bench.db.execute<{ emailId: number }>(sql`select id as "emailId" from emails where mailbox_id = ${mailboxId} order by id desc limit 1`);
      await bench.db.execute(sql`
        insert into outbox (mailbox_id, created_by_id, message_id, to_list, subject, text_body, status, sent_at, created_at)
        select ${mailboxId}, ${admin.id}, '<o' || g || '@example.org>', '[{"name":"Bob","address":"bob@example.com"}]'::jsonb, 'Reply ' || g, 'Thanks.',
               'sent', timestamptz '2025-01-01' + g * interval '1 minute', timestamptz '2025-01-01' + g * interval '1 minute'
          from generate_series(1, ${ctx.quick ? 1000 : 10_000}) g`);
      await bench.db.execute(sql`
        insert into users (email, name, password_hash, role)
        select 'user' || g || '@example.com', 'User ' || g, 'not-used', 'member' from generate_series(1, 1000) g`);
      await bench.db.execute(sql`
        insert into profiles (name, owner_id, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode, process_email_from)
        select 'Profile ' || g, ${admin.id}, 'pop3smtp', 'imap', 'imap' || g || '.example.org', 'smtp' || g || '.example.org', 993, 465, true, 'mailbox', timestamptz '2000-01-01'
          from generate_series(1, 300) g`);
      await bench.db.execute(sql`
        insert into alerts (severity, mailbox_id, recipient_id, dedup_key, title, message, detail, last_seen_at)
        select 'warning', ${mailboxId}, ${admin.id}, 'bench:' || g, 'Sync failed', 'The server refused the password.', 'AUTHENTICATIONFAILED', now() - g * interval '1 minute'
          from generate_series(1, 500) g`);
      // A steady state: autovacuum would have set the visibility map long ago (index-only scans).
      await bench.sql`vacuum analyze`;

      // Search, on its own: the domain function the mail list calls, one query at a time.
      const actor = (await loadActor(bench.db, admin.id, 0))!;
      const searchTimes: number[] = [];
      const perQuery: Record<string, { ms: number; total: number }> = {};
      for (let round_ = 0; round_ < (ctx.quick ? 2 : 5); round_++) {
        for (const q of SEARCHES) {
          const t = performance.now();
          const r = await listEmails(bench.db, actor, { mailboxId, query: q });
          const ms = performance.now() - t;
          if (round_ > 0) searchTimes.push(ms); // round 0 warms the cache
          perQuery[q] = { ms: round(ms, 1), total: r.total };
        }
      }
      const search = { p50: round(percentile(searchTimes, 50), 1), p95: round(percentile(searchTimes, 95), 1), max: round(Math.max(...searchTimes), 1), samples: searchTimes.length, perQuery };
      ctx.log(`pages: search p95 ${search.p95} ms over ${messageCount} messages`);

      const cookieValue = await encode({ token: { sub: admin.id, uid: admin.id, sv: 0, email: admin.email, name: "Bench admin" }, secret: authSecret, salt: COOKIE, maxAge: 8 * 3600 });
      const cookie = `${COOKIE}=${cookieValue}`;
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 90_000;
      for (;;) {
        try {
          if ((await fetch(`${base}/sign-in`)).status === 200) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the web server did not answer:\n${out}`);
        await sleep(200);
      }
      const floorUrl = `${base}/bench-floor-not-a-page`;
      const allTargets: Record<string, string> = {
        mailboxList: `${base}/mailboxes`,
        mailList: `${base}/mail/${mailboxId}`,
        // 75,000 messages deep, reached as the pager links do (keyset cursor).
        mailListDeep: `${base}/mail/${mailboxId}?page=1500&before=${emailId - 75_000}`,
        mailSearch: `${base}/mail/${mailboxId}?q=${encodeURIComponent("請求書")}`,
        message: `${base}/mail/${mailboxId}/${emailId}`,
        sent: `${base}/sent/${mailboxId}`,
        alerts: `${base}/alerts`,
        users: `${base}/users`,
        profiles: `${base}/profiles`,
        monitoring: `${base}/monitoring`,
      };
      // BENCH_PAGES=mailboxList,mailList measures only those pages (the floor is always measured).
      const only = process.env.BENCH_PAGES?.split(",").filter(Boolean);
      const targets = only ? Object.fromEntries(Object.entries(allTargets).filter(([k]) => only.includes(k))) : allTargets;
      const measure = async (url: string, expect = 200) => {
        await load(url, cookie, clients, ctx.quick ? 1 : 2, expect); // warm-up
        const cpu0 = groupPids(server.pid!).reduce((s, p) => s + cpuSecondsOf(p), 0);
        const load0 = loadavg();
        const r = await load(url, cookie, clients, seconds, expect);
        const cpu = groupPids(server.pid!).reduce((s, p) => s + cpuSecondsOf(p), 0) - cpu0;
        return { ...r, serverCpuPercent: round((100 * cpu) / seconds, 0), cpuMsPerRequest: round((1000 * cpu) / Math.max(r.requests, 1), 1), loadavg: [load0, loadavg()] };
      };
      for (const [name, url] of Object.entries(targets)) {
        const first = await fetch(url, { headers: { cookie }, redirect: "manual" });
        if (first.status !== 200) throw new Error(`${name}: GET ${url} answered ${first.status} ${first.headers.get("location") ?? ""}\n${out.slice(-2000)}`);
        // BENCH_PAGES_DUMP=<folder>: keep each page's HTML, to see what makes it heavy.
        if (process.env.BENCH_PAGES_DUMP) fs.writeFileSync(path.join(process.env.BENCH_PAGES_DUMP, `${name}.html`), await first.text());
      }
      // The floor before and after the pages; the ratio uses the mean of the two, as the load moves.
      const floorBefore = await measure(floorUrl, 404);
      ctx.log(`pages: bare page (before) p95 ${floorBefore.p95} ms, load ${floorBefore.loadavg[0].join("/")}`);
      const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
      for (const [name, url] of Object.entries(targets)) {
        results[name] = await measure(url);
        const r = results[name];
        ctx.log(`pages: ${name} p95 ${r.p95} ms (${r.bytes} B, ${r.cpuMsPerRequest} CPU-ms/req), ${r.rps} req/s, ${r.errors} errors, load ${r.loadavg[1].join("/")}`);
      }
      const floorAfter = await measure(floorUrl, 404);
      ctx.log(`pages: bare page (after) p95 ${floorAfter.p95} ms`);
      const floorP95 = round((floorBefore.p95 + floorAfter.p95) / 2, 1);
      const ratios = Object.fromEntries(Object.entries(results).map(([k, r]) => [k, round(r.p95 / floorP95, 2)]));
      const pageNames = Object.keys(results);
      const worstP95 = Math.max(...pageNames.map((k) => results[k].p95));
      const worstRatio = Math.max(...Object.values(ratios));
      const errors = Object.values(results).reduce((s, r) => s + r.errors, 0) + floorBefore.errors + floorAfter.errors;
      const table = pageNames.map((k) => `${k} p95 ${results[k].p95} ms (${ratios[k]}×)`).join(", ");
      return {
        name: "pages",
        target: "p95 ≤ 150 ms and ≤ 1.3 × bare page, 0 errors; search p95 ≤ 100 ms",
        value: worstP95,
        met: worstP95 <= 150 && worstRatio <= 1.3 && errors === 0 && search.p95 <= 100,
        summary: `${clients} clients × ${seconds} s, web-server.ts: bare page p95 ${floorP95} ms; ${table}; worst ratio ${worstRatio}; ${errors} errors; search p95 ${search.p95} ms (${messageCount} msgs)`,
        figures: { mailboxes: mailboxCount, messages: messageCount, clients, seconds, webProcesses: process.env.MAILROOM_WEB_PROCESSES ?? "default", floorP95, floorBefore, floorAfter, ratios, worstRatio, search, ...results },
        notes: ["a fetch loop per client (Node's undici, gzip asked), cookie from next-auth/jwt encode; scripts/web-server.ts on a production build; value = the worst page p95 in ms; bare page = the 404 page (root layout, no session, no query)"],
      };
    } finally {
      try {
        process.kill(-server.pid!, "SIGTERM");
      } catch {
        // gone
      }
      await new Promise((r) => (server.exitCode !== null ? r(null) : server.once("exit", r)));
      await bench.close();
    }
  },
};
