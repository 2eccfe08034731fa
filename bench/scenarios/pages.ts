import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { sql } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { freePort } from "../../db/embedded";
import { buildIsStale } from "../../scripts/build-freshness";
import { cpuSecondsOf, groupPids } from "../lib/procs";
import { insertIncomingProfile, insertMailboxes, insertUser } from "../lib/rows";
import type { Scenario } from "../lib/scenario";
import { percentile, round, sleep } from "../lib/stats";

const root = path.resolve(import.meta.dirname, "../..");
const COOKIE = "authjs.session-token"; // plain HTTP on loopback: no __Secure- prefix

type Load = { requests: number; errors: number; statuses: Record<string, number>; p50: number; p95: number; p99: number; max: number; rps: number };

/** `clients` signed-in clients, each requesting `url` again as soon as the last answer arrived, for `seconds`. */
async function load(url: string, cookie: string, clients: number, seconds: number): Promise<Load> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const res = await fetch(url, { headers: { cookie }, redirect: "manual" });
          const body = await res.text();
          latencies.push(performance.now() - t);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status !== 200 || body.length < 500) errors++;
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
  };
}

/**
 * The mailbox list (10,000 mailboxes) and one mailbox's mail list (100,000 messages) under
 * 20 concurrent signed-in clients for 20 s each, against `next start` of a production build.
 * The session cookie is minted with next-auth's own `encode` and the server's AUTH_SECRET.
 */
export const pages: Scenario = {
  name: "pages",
  async run(ctx) {
    const mailboxCount = ctx.quick ? 1000 : 10_000;
    const messageCount = ctx.quick ? 10_000 : 100_000;
    const clients = ctx.quick ? 5 : 20;
    const seconds = ctx.quick ? 4 : 20;
    if (buildIsStale(root)) {
      ctx.log("pages: building the app (under the shared build lock)");
      execFileSync("flock", [path.join(root, ".build.lock"), path.join(root, "node_modules/.bin/next"), "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    }
    const bench = await ctx.pg.freshDb("pages");
    const authSecret = crypto.randomBytes(32).toString("base64url");
    const port = await freePort();
    const server = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", DATABASE_URL: bench.url, AUTH_SECRET: authSecret, MAILROOM_SECRET_KEY: ctx.secretKey, MAILROOM_EXTRA_CA_FILE: ctx.pki.caFile },
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
      await bench.db.execute(sql`
        insert into emails (mailbox_id, source_key, message_id, content_hash, from_address, from_name, to_list, subject, sent_at, text_body, size_bytes, stored_at)
        select ${mailboxId}, 'imap:1:' || g, '<p' || g || '@example.org>', md5(g::text) || md5(g::text), 'sender' || (g % 500) || '@example.org', 'Sender ' || (g % 500),
               '[{"name":"Alice","address":"alice@example.com"}]'::jsonb, 'Quarterly report ' || g || ' ' || md5(g::text),
               timestamptz '2025-01-01' + g * interval '1 minute', repeat('Hello there. ', 40), 4096, timestamptz '2025-01-01' + g * interval '1 minute'
          from generate_series(1, ${messageCount}) g`);
      // A steady state: autovacuum would have set the visibility map long ago (index-only scans).
      await bench.sql`vacuum analyze`;
      const cookieValue = await encode({ token: { sub: admin.id, uid: admin.id, sv: 0, email: admin.email, name: "Bench admin" }, secret: authSecret, salt: COOKIE, maxAge: 8 * 3600 });
      const cookie = `${COOKIE}=${cookieValue}`;
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          if ((await fetch(`${base}/sign-in`)).status === 200) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline || server.exitCode !== null) throw new Error(`next start did not answer:\n${out}`);
        await sleep(200);
      }
      const targets = { mailboxList: `${base}/mailboxes`, mailList: `${base}/mail/${mailboxId}` };
      const results: Record<string, Load & { serverCpuPercent: number }> = {};
      for (const [name, url] of Object.entries(targets)) {
        const first = await fetch(url, { headers: { cookie }, redirect: "manual" });
        if (first.status !== 200) throw new Error(`${name}: GET ${url} answered ${first.status} ${first.headers.get("location") ?? ""}\n${out.slice(-2000)}`);
        await load(url, cookie, clients, 2); // warm-up
        const cpu0 = groupPids(server.pid!).reduce((s, p) => s + cpuSecondsOf(p), 0);
        const r = await load(url, cookie, clients, seconds);
        const cpu = groupPids(server.pid!).reduce((s, p) => s + cpuSecondsOf(p), 0) - cpu0;
        results[name] = { ...r, serverCpuPercent: round((100 * cpu) / seconds, 0) };
        ctx.log(`pages: ${name} p95 ${r.p95} ms, ${r.rps} req/s, ${r.errors} errors`);
      }
      const worstP95 = Math.max(...Object.values(results).map((r) => r.p95));
      const errors = Object.values(results).reduce((s, r) => s + r.errors, 0);
      return {
        name: "pages",
        target: "p95 ≤ 150 ms, 0 errors",
        value: worstP95,
        met: worstP95 <= 150 && errors === 0,
        summary: `${clients} clients × ${seconds} s: mailbox list (${mailboxCount}) p95 ${results.mailboxList.p95} ms, mail list (${messageCount}) p95 ${results.mailList.p95} ms, ${errors} errors`,
        figures: { mailboxes: mailboxCount, messages: messageCount, clients, seconds, ...results },
        notes: ["a fetch loop per client (Node's undici), cookie from next-auth/jwt encode; next start of a production build on this machine; value = the worse p95 in ms"],
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
