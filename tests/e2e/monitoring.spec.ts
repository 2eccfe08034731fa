// Operations (issue 16): the monitoring dashboard with data from real syncs (the e2e
// worker syncs a mailbox on a test Dovecot), its numbers equal to the database's, its
// charts drawn, in English and Japanese; /api/health 503 while no worker is alive and
// 200 again when it is, and 503 when the database stops answering; /metrics read with
// a Prometheus text parser, counters moving after a sync.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { freePort } from "../../db/embedded";
import { sealSecret } from "../../lib/crypto/seal-secret";
import { hashIngestToken } from "../../lib/ingest/hash-ingest-token";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { samplesOf, valueOf } from "../harness/prometheus";
import { startCountingProxy } from "../harness/tcp";
import { db, makeUser, signIn } from "./support/accounts";
import { runPki } from "./support/run-pki";

test.describe.configure({ mode: "serial" });

const METRICS_TOKEN = process.env.MAILROOM_METRICS_TOKEN || "e2e-metrics-token-0123456789"; // as playwright.config.ts
const tag = crypto.randomUUID().slice(0, 6);
const login = { user: `mon${tag}`, password: `Pw-${tag}` };
let dovecot: Dovecot;
let mailboxId: string;
let profileId: string;

const message = (i: number) =>
  [`From: Monitor ${i} <m${i}@example.org>`, `To: ${login.user}@example.com`, `Subject: monitored ${tag} ${i}`, `Date: Tue, 01 Dec 2026 10:00:00 +0000`, `Message-ID: <m${i}.${tag}@example.org>`, ``, `Body ${i}`, ``].join("\r\n");
const storedCount = async () => Number((await db()`select count(*)::int as n from emails where mailbox_id = ${mailboxId}`)[0].n);

test.beforeAll(async () => {
  dovecot = await startDovecot({ pki: runPki() });
  await dovecot.addUser(login.user, login.password);
  await dovecot.deliverMany(login.user, [1, 2, 3].map(message));
  const owner = await makeUser("member", `Monitor owner ${tag}`);
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, outgoing_tls, credential_mode, min_polling_interval_minutes, process_email_from)
    values (${`E2E monitoring ${tag}`}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', ${dovecot.ports.imaps}, 465, true, true, 'mailbox', 60, '2000-01-01') returning id`;
  profileId = p.id as string;
  const [m] = await db()`insert into mailboxes (kind, name, email_address, owner_id, profile_id, incoming_delivery, user_name, password_sealed, approved_at, incoming_enabled, incoming_status, next_sync_at, last_tested_at)
    values ('queue', ${`Monitored ${tag}`}, ${`${login.user}@example.com`}, ${owner.id}, ${profileId}, 'server_side_sync', ${login.user}, ${sealSecret(login.password, null)}, now(), true, 'success', now(), now() - interval '1 day') returning id`;
  mailboxId = m.id as string;
  // The e2e worker picks it up and stores the three messages.
  await expect.poll(storedCount, { timeout: 30_000 }).toBe(3);
});
test.afterAll(async () => {
  await db()`update mailboxes set incoming_enabled = false where id = ${mailboxId}`;
  await dovecot?.destroy();
});

/** The chart's canvas has pixels drawn (uPlot drew lines and axes, not an empty box). */
async function drawnPixels(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).locator("canvas").first().evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

test("the dashboard shows the database's numbers from real syncs and draws its charts", async ({ page }) => {
  const admin = await makeUser("admin");
  await signIn(page, admin);
  await page.getByRole("navigation", { name: "main" }).getByRole("link", { name: "Monitoring" }).click();
  await expect(page.getByRole("heading", { name: "Sync monitoring" })).toBeVisible();

  // Totals equal what the database holds for the same 24 hours (re-read until a refresh and the query agree).
  await expect(async () => {
    await page.reload();
    const [r] = await db()`select coalesce(sum(stored), 0)::int as stored, count(*) filter (where error_code is not null)::int as errors
      from sync_runs where finished_at >= date_trunc('hour', now()) - interval '23 hours'`;
    const [s] = await db()`select count(*)::int as sent from outbox where status = 'sent' and sent_at >= date_trunc('hour', now()) - interval '23 hours'`;
    expect(r.stored).toBeGreaterThanOrEqual(3);
    await expect(page.getByTestId("totals")).toHaveText(`In this period: ${r.stored} stored, ${s.sent} sent, ${r.errors} failed sync attempts.`, { timeout: 1000 });
    const [inc] = await db()`select count(*)::int as n from mailboxes where incoming_delivery = 'server_side_sync' and incoming_status = 'success' and incoming_enabled`;
    await expect(page.getByTestId("status-incoming").locator('tr[data-status="success"] td[data-enabled="true"]')).toHaveText(String(inc.n), { timeout: 1000 });
    const [w] = await db()`select count(*) filter (where stopped_at is null and last_seen_at > now() - interval '1 minute')::int as alive, count(*)::int as total from workers`;
    await expect(page.getByTestId("workers-alive")).toHaveText(`${w.alive} of ${w.total} alive`, { timeout: 1000 });
    const [o] = await db()`select count(*) filter (where status = 'queued')::int as q, count(*) filter (where status = 'retrying')::int as r, count(*) filter (where status = 'sending')::int as s from outbox`;
    await expect(page.getByTestId("outbox-depth")).toHaveText(`${o.q} queued, ${o.r} waiting to retry, ${o.s} being sent.`, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });

  // Our mailbox synced with a measured lag and a new-mail latency (IMAP arrival → stored): it is in the table, linked.
  const row = page.getByTestId("slowest").locator(`tr[data-mailbox="${mailboxId}"]`);
  await expect(row.getByRole("link", { name: `Monitored ${tag}` })).toHaveAttribute("href", `/mailboxes/${mailboxId}`);
  const [w] = await db()`select id, host, pid from workers where stopped_at is null and last_seen_at > now() - interval '1 minute' order by last_seen_at desc limit 1`;
  await expect(page.getByTestId("workers").locator(`tr[data-worker="${w.id}"]`)).toContainText(String(w.pid));
  await expect(page.getByTestId("workers").locator(`tr[data-worker="${w.id}"]`)).toContainText("Alive");

  // Live: new figures appear without a full reload (the page's window survives the refresh).
  await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
  const before = (await page.getByTestId("totals").textContent())!;
  await db()`insert into sync_runs (mailbox_id, protocol, worker_id, result, stored, duration_ms) values (${mailboxId}, 'imap', 'e2e', 'synced', 7, 10)`;
  await expect(page.getByTestId("totals")).not.toHaveText(before, { timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

  // The chart is drawn (canvas pixels) with its legend in English.
  await expect(page.getByTestId("chart-traffic").locator(".u-legend")).toContainText("Stored");
  await expect.poll(() => drawnPixels(page, "chart-traffic")).toBeGreaterThan(500);
});

test("a failing mailbox is listed and linked; errors by code are charted", async ({ page }) => {
  await dovecot.addUser(`bad${tag}`, "right-password");
  const [m] = await db()`insert into mailboxes (kind, name, email_address, profile_id, incoming_delivery, user_name, password_sealed, approved_at, incoming_enabled, incoming_status, next_sync_at)
    values ('queue', ${`Failing ${tag}`}, ${`bad${tag}@example.com`}, ${profileId}, 'server_side_sync', ${`bad${tag}`}, ${sealSecret("wrong-password", null)}, now(), true, 'success', now()) returning id`;
  await expect.poll(async () => (await db()`select incoming_status from mailboxes where id = ${m.id}`)[0].incoming_status, { timeout: 30_000 }).toBe("failure");
  await signIn(page, await makeUser("mailbox_manager"));
  await page.goto("/monitoring");
  const row = page.getByTestId("failing").locator(`tr[data-mailbox="${m.id}"]`);
  await expect(row.getByRole("link", { name: `Failing ${tag}` })).toHaveAttribute("href", `/mailboxes/${m.id}`);
  await expect(row).toContainText("auth_failed");
  await expect(row).toContainText("Authentication failed");
  await expect(page.getByTestId("chart-errors").locator(".u-legend")).toContainText("auth_failed");
  await expect.poll(() => drawnPixels(page, "chart-errors")).toBeGreaterThan(500);
});

test.describe("Japanese", () => {
  test.use({ locale: "ja-JP" });
  test("the dashboard, its charts and durations read in Japanese", async ({ page }) => {
    await signIn(page, await makeUser("admin"));
    await page.goto("/monitoring?range=7d");
    await expect(page.getByRole("heading", { name: "同期の監視" })).toBeVisible();
    await expect(page.getByRole("link", { name: "過去 7 日間" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("totals")).toContainText("この期間: 保存");
    await expect(page.getByTestId("chart-traffic").locator(".u-legend")).toContainText("保存");
    await expect(page.getByTestId("chart-traffic").locator(".u-legend")).toContainText("送信");
    await expect(page.getByTestId("latency-overall")).toContainText("サンプル");
    await expect(page.getByTestId("workers")).toContainText("稼働中");
    await expect(page.getByTestId("push-held")).toContainText("プッシュ (IMAP IDLE)");
    await expect.poll(() => drawnPixels(page, "chart-traffic")).toBeGreaterThan(500);
  });
});

test("members may not open the dashboard", async ({ page }) => {
  await signIn(page, await makeUser("member"));
  const res = await page.goto("/monitoring");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("navigation", { name: "main" }).getByRole("link", { name: "Monitoring" })).toHaveCount(0);
});

test("/metrics: bearer token required; parsed by a Prometheus parser; the stored counter moves after a sync", async ({ request }) => {
  expect((await request.get("/metrics")).status()).toBe(401);
  expect((await request.get("/metrics", { headers: { authorization: "Bearer wrong-token-0123456789" } })).status()).toBe(401);
  const scrape = async () => {
    const res = await request.get("/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/plain");
    return res.text();
  };
  const storedImap = (text: string) => samplesOf(text, "mailroom_messages_stored_total").filter((s) => s.labels.protocol === "imap" && s.labels.profile === profileId).reduce((n, s) => n + s.value, 0);
  // Published with the next heartbeat (every 10 s).
  await expect.poll(async () => storedImap(await scrape()), { timeout: 30_000 }).toBe(3);
  const before = await scrape();
  expect(valueOf(before, "mailroom_workers_up")).toBeGreaterThanOrEqual(1);
  expect(valueOf(before, "mailroom_profile_info", { profile: profileId })).toBe(1);
  expect(samplesOf(before, "mailroom_sync_lag_seconds").map((s) => s.labels.mailbox)).toContain(mailboxId);
  // A sync that stored mail counts whether it finished the mailbox ("synced") or stopped at a batch boundary ("partial").
  const syncSamples = (text: string) => samplesOf(text, "mailroom_sync_duration_seconds_count").filter((s) => s.labels.protocol === "imap");
  const syncs = (text: string) => syncSamples(text).filter((s) => s.labels.result === "synced" || s.labels.result === "partial").reduce((n, s) => n + s.value, 0);

  await dovecot.deliverMany(login.user, [4, 5].map(message));
  await db()`update mailboxes set next_sync_at = now() where id = ${mailboxId}`;
  await expect.poll(storedCount, { timeout: 30_000 }).toBe(5);
  await expect.poll(async () => storedImap(await scrape()), { timeout: 30_000 }).toBe(5);
  // Published with the heartbeat after the sync: the duration histogram counts it.
  await expect.poll(async () => syncs(await scrape()), { timeout: 30_000, message: `IMAP sync durations by result before: ${JSON.stringify(syncSamples(before))}` }).toBeGreaterThan(syncs(before));
});

test("/api/health: 200 with a live worker, 503 naming the worker check while none is alive, 200 again", async ({ request }) => {
  const ok = await request.get("/api/health");
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ live: true, ready: true, checks: { database: "ok", migrations: "current", worker: "seen" } });
  // Freeze the e2e worker (so it cannot beat) and age its heartbeat past a minute.
  const alive = await db()`select pid from workers where stopped_at is null and last_seen_at > now() - interval '1 minute'`;
  expect(alive.length).toBeGreaterThan(0);
  for (const w of alive) process.kill(Number(w.pid), "SIGSTOP");
  try {
    await db()`update workers set last_seen_at = now() - interval '2 minutes'`;
    const down = await request.get("/api/health");
    expect(down.status()).toBe(503);
    expect(await down.json()).toMatchObject({ live: true, ready: false, checks: { database: "ok", migrations: "current", worker: "none" } });
    expect((await request.get("/api/health/live")).status()).toBe(200);
  } finally {
    for (const w of alive) process.kill(Number(w.pid), "SIGCONT");
  }
  await expect.poll(async () => (await request.get("/api/health")).status(), { timeout: 30_000 }).toBe(200);
});

test("/api/health: 503 naming the database when it stops answering (own web server, its database behind a proxy that is cut)", async ({ request }) => {
  test.setTimeout(120_000);
  const dbUrl = new URL(process.env.E2E_DATABASE_URL!);
  const proxy = await startCountingProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
  const viaProxy = new URL(dbUrl);
  viaProxy.port = String(proxy.port);
  const port = await freePort();
  const root = path.resolve(import.meta.dirname, "../..");
  const web = spawn(process.execPath, ["--import", "tsx", "scripts/web-server.ts", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: viaProxy.toString(), PORT: String(port) },
    stdio: "ignore",
    detached: true,
  });
  const health = `http://127.0.0.1:${port}/api/health`;
  try {
    await expect.poll(async () => (await request.get(health).catch(() => null))?.status(), { timeout: 60_000 }).toBe(200);
    await proxy.stop();
    const down = await request.get(health);
    expect(down.status()).toBe(503);
    expect(await down.json()).toMatchObject({ live: true, ready: false, checks: { database: "unreachable" } });
    expect((await request.get(`http://127.0.0.1:${port}/api/health/live`)).status()).toBe(200);
  } finally {
    try {
      process.kill(-web.pid!, "SIGTERM");
    } catch {
      // gone
    }
    await proxy.stop().catch(() => {});
  }
});

test("/metrics from any web process counts mail handed in through another (the app may run several)", async ({ request }) => {
  test.setTimeout(120_000);
  const token = crypto.randomBytes(32).toString("base64url");
  const owner = await makeUser("member");
  const [m] = await db()`insert into mailboxes (kind, name, email_address, owner_id, incoming_delivery, ingest_token_hash, ingest_token_created_at)
    values ('queue', ${`Router ${tag}`}, ${`router${tag}@example.com`}, ${owner.id}, 'email_router', ${hashIngestToken(token)}, now()) returning id`;
  // A second web process on the same database: scraped, it never handled the hand-in itself.
  const port = await freePort();
  const web = spawn(process.execPath, ["--import", "tsx", "scripts/web-server.ts", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL!, PORT: String(port), MAILROOM_METRICS_TOKEN: METRICS_TOKEN },
    stdio: "ignore",
    detached: true,
  });
  const other = `http://127.0.0.1:${port}`;
  const handedIn = async () => {
    const res = await request.get(`${other}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status()).toBe(200);
    return samplesOf(await res.text(), "mailroom_messages_stored_total").filter((s) => s.labels.protocol === "router").reduce((n, s) => n + s.value, 0);
  };
  try {
    await expect.poll(async () => (await request.get(`${other}/api/health/live`).catch(() => null))?.status(), { timeout: 60_000 }).toBe(200);
    const before = await handedIn();
    const raw = [`From: Router <r@example.org>`, `To: router${tag}@example.com`, `Subject: handed in ${tag}`, `Message-ID: <metrics.${tag}@example.org>`, ``, `Body`, ``].join("\r\n");
    const res = await request.post(`/api/ingest/${m.id}`, { headers: { authorization: `Bearer ${token}`, "content-type": "message/rfc822" }, data: raw });
    expect(res.status()).toBe(202);
    await expect.poll(handedIn, { timeout: 15_000 }).toBe(before + 1);
  } finally {
    try {
      process.kill(-web.pid!, "SIGTERM");
    } catch {
      // gone
    }
  }
});
