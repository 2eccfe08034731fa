// Browser half of the security suites (issue 8): XSS corpus in Chromium, every route × role,
// secrets crawl (HTML, RSC payloads, action responses, both processes' logs), session cookie
// flags, server actions from another origin, and a few forms posted past the browser's checks.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { roleHas, type Privilege, type Role } from "../../lib/auth/privileges";
import { sealSecret } from "../../lib/crypto/seal-secret";
import { freePort } from "../../db/embedded";
import { storeTestEmail } from "../integration/emails/store-test-email";
import { discoverRoutes } from "../security/support/discover";
import { db, makeUser, signIn } from "./support/accounts";

const REMOTE = "https://tracker.remote.test";
type Who = "admin" | "manager" | "owner" | "other" | "signedOut";
const roleOf: Record<Exclude<Who, "signedOut">, Role> = { admin: "admin", manager: "mailbox_manager", owner: "member", other: "member" };
type Person = { id: string; email: string; password: string; name: string };

async function mailboxOf(userId: string): Promise<string> {
  const [m] = await db()`select id from mailboxes where user_id = ${userId}`;
  return m.id as string;
}

/** A world to look at: one user per role, the owner's mailbox with mail, a profile, a job. */
async function makeWorld() {
  const people = { admin: await makeUser("admin"), manager: await makeUser("mailbox_manager"), owner: await makeUser("member"), other: await makeUser("member") };
  const mailboxId = await mailboxOf(people.owner.id);
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode)
    values (${`Security profile ${crypto.randomUUID().slice(0, 8)}`}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', 1, 1, true, 'mailbox') returning id`;
  await db()`update mailboxes set profile_id = ${p.id}, outgoing_delivery = 'server_side_sync', outgoing_enabled = true, outgoing_status = 'success', approved_at = now() where id = ${mailboxId}`;
  const { id: emailId } = await storeTestEmail(db(), mailboxId, { from: "a@example.com", subject: "World mail", html: "<p>hi</p>", attachments: [{ filename: "a.txt", content: "A" }] });
  const [job] = await db()`insert into jobs (kind, profile_id, created_by_id, status, total) values ('test_enable', ${p.id}, ${people.admin.id}, 'done', 0) returning id`;
  return { people, mailboxId, profileId: p.id as string, emailId: String(emailId), jobId: job.id as string };
}
type World = Awaited<ReturnType<typeof makeWorld>>;

function concrete(pattern: string, w: World): string {
  return pattern
    .replace("[...nextauth]", "session")
    .replace("[mailboxId]", w.mailboxId)
    .replace("[mailbox]", w.mailboxId)
    .replace("[emailId]", w.emailId)
    .replace("[position]", "0")
    .replace(/^\/mailboxes\/jobs\/\[id\]/, `/mailboxes/jobs/${w.jobId}`)
    .replace(/^\/mailboxes\/\[id\]/, `/mailboxes/${w.mailboxId}`)
    .replace(/^\/profiles\/\[id\]/, `/profiles/${w.profileId}`)
    .replace(/^\/users\/\[id\]/, `/users/${w.people.other.id}`);
}

// What each route requires (lib/auth/privileges.ts). `ownerOr`: the mailbox's owner, or the privilege.
// `bearerOnly`: machine endpoints that no browser session opens (a bearer token or a per-mailbox token, or off).
type Rule = { public: true } | { privilege: Privilege } | { ownerOr: Privilege } | { closedOnceSetUp: true } | { bearerOnly: true };
const routeRules: Record<string, Rule> = {
  "/": { public: true },
  // First-run setup answers 404 once an admin exists (as here), for everyone.
  "/setup": { closedOnceSetUp: true },
  "/sign-in": { public: true },
  "/api/auth/[...nextauth]": { public: true },
  "/alerts": { privilege: "alert:read-own" },
  "/mailboxes": { privilege: "mailbox:read-own" },
  "/compose/[mailboxId]": { ownerOr: "mailbox:write" },
  "/mail/[mailboxId]": { ownerOr: "mailbox:read" },
  "/mail/[mailboxId]/[emailId]": { ownerOr: "mailbox:read" },
  "/mail/[mailboxId]/[emailId]/attachments/[position]": { ownerOr: "mailbox:read" },
  "/mail/[mailboxId]/[emailId]/body": { ownerOr: "mailbox:read" },
  "/mail/[mailboxId]/[emailId]/raw": { ownerOr: "mailbox:read" },
  "/mail/[mailboxId]/quarantine": { ownerOr: "mailbox:read" },
  "/sent/[mailboxId]": { ownerOr: "mailbox:read" },
  "/mailboxes/[id]": { ownerOr: "mailbox:read" },
  // Without a mailbox or a state they send a signed-in user back to the mailboxes (lib/oauth checks the mailbox).
  "/oauth/start": { privilege: "mailbox:read-own" },
  "/basic-auth": { privilege: "profile:write" },
  "/monitoring": { privilege: "monitoring:read" },
  // Operators' probes: open to anyone, they say only up or down.
  "/api/health": { public: true },
  "/api/health/live": { public: true },
  // Off unless MAILROOM_METRICS_TOKEN is set, and then only with that bearer token.
  "/metrics": { bearerOnly: true },
  // POST with the mailbox's ingest token only; a browser's GET is refused.
  "/api/ingest/[mailbox]": { bearerOnly: true },
  "/oauth/callback": { privilege: "mailbox:read-own" },
  "/mailboxes/apply-defaults": { privilege: "mailbox:write" },
  "/mailboxes/edit": { privilege: "mailbox:write" },
  "/mailboxes/new": { privilege: "queue:create" },
  "/mailboxes/jobs/[id]": { privilege: "mailbox:test" },
  "/mailboxes/jobs/[id]/progress": { privilege: "mailbox:test" },
  "/profiles": { privilege: "profile:read" },
  "/profiles/[id]": { privilege: "profile:read" },
  "/profiles/[id]/edit": { privilege: "profile:write" },
  "/profiles/new": { privilege: "profile:write" },
  "/settings": { privilege: "settings:read" },
  "/users": { privilege: "user:admin" },
  "/users/[id]": { privilege: "user:admin" },
  "/users/new": { privilege: "user:admin" },
};

function expected(rule: Rule, who: Who): "allowed" | "refused" {
  if ("public" in rule) return "allowed";
  if ("closedOnceSetUp" in rule || "bearerOnly" in rule) return "refused";
  if (who === "signedOut") return "refused";
  if ("privilege" in rule) return roleHas(roleOf[who], rule.privilege) ? "allowed" : "refused";
  return who === "owner" || roleHas(roleOf[who], rule.ownerOr) ? "allowed" : "refused";
}

async function signedInContext(browser: Browser, who: Person | null, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  if (who) await signIn(await context.newPage(), who);
  return context;
}

test("every page and route × admin, manager, owner, non-owner, signed-out matches the privilege table", async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const routes = discoverRoutes();
  expect(routes.filter((r) => !(r.pattern in routeRules)).map((r) => r.pattern), "routes without an access rule").toEqual([]);
  const w = await makeWorld();
  const mismatches: string[] = [];
  for (const who of ["admin", "manager", "owner", "other", "signedOut"] as Who[]) {
    const context = await signedInContext(browser, who === "signedOut" ? null : w.people[who], baseURL!);
    for (const r of routes) {
      const url = concrete(r.pattern, w);
      const res = await context.request.get(url, { maxRedirects: 5 });
      const finalUrl = res.url();
      const body = r.kind === "page" ? await res.text() : "";
      const refused = ("bearerOnly" in routeRules[r.pattern] && res.status() === 405) || res.status() === 403 || res.status() === 404 || res.status() === 401 || (finalUrl.includes("/sign-in") && !r.pattern.startsWith("/sign-in") && !("public" in routeRules[r.pattern]) && !("closedOnceSetUp" in routeRules[r.pattern])) || body.includes('data-testid="forbidden"');
      const outcome = refused ? "refused" : res.status() < 400 ? "allowed" : `status ${res.status()}`;
      const want = expected(routeRules[r.pattern], who);
      if (outcome !== want) mismatches.push(`${r.pattern} as ${who}: ${outcome} (${res.status()} ${finalUrl.replace(baseURL!, "")}), expected ${want}`);
      // Signed out, a protected page sends to sign-in (not a bare error).
      if (who === "signedOut" && r.kind === "page" && "privilege" in routeRules[r.pattern]) expect(finalUrl, r.pattern).toContain("/sign-in");
    }
    await context.close();
  }
  console.log(`[figure] route-access: ${routes.length} routes × 5 callers = ${routes.length * 5} checks, ${mismatches.length} mismatches`);
  expect(mismatches).toEqual([]);
});

// ---------- XSS ----------
const XSS = [
  `<script>__xssHit("script")</script>`,
  `<img src=x onerror="__xssHit('img onerror');parent.__xssHit('img parent');top.__xssHit('img top')">`,
  `<svg onload="top.__xssHit('svg onload')"><script>top.__xssHit('svg script')</script></svg>`,
  `<body onload="top.__xssHit('body onload')">`,
  `<a href="javascript:top.__xssHit('js link')">link</a>`,
  `<iframe src="javascript:top.__xssHit('iframe js')"></iframe>`,
  `<iframe srcdoc="<script>top.__xssHit('srcdoc')</script>"></iframe>`,
  `<object data="javascript:top.__xssHit('object')"></object>`,
  `<embed src="javascript:top.__xssHit('embed')">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="top.__xssHit('mxss')">`,
  `<noscript><p title="</noscript><img src=x onerror=top.__xssHit('noscript')>">`,
  `<form action="javascript:top.__xssHit('form')"><button>go</button></form>`,
  `<meta http-equiv="refresh" content="0;url=javascript:top.__xssHit('meta')">`,
  `<base href="javascript:top.__xssHit('base')//">`,
  `<div style="background:url(javascript:top.__xssHit('css'))">x</div>`,
  `<input autofocus onfocus="top.__xssHit('autofocus')">`,
  `<details open ontoggle="top.__xssHit('details')">`,
  `<video><source onerror="top.__xssHit('video')"></video>`,
  `<img src="${REMOTE}/pixel.gif" width="1" height="1">`,
  `<img srcset="${REMOTE}/srcset.png 1x">`,
  `<div style="background-image:url(${REMOTE}/bg.png)">bg</div>`,
  `<style>@import url(${REMOTE}/x.css); body{background:url(${REMOTE}/b.png)}</style>`,
  `<link rel="stylesheet" href="${REMOTE}/l.css">`,
  `<table background="${REMOTE}/table.png"><tr><td>t</td></tr></table>`,
  `<video poster="${REMOTE}/poster.png"></video>`,
  `<scr<script>ipt>top.__xssHit('split')</scr</script>ipt>`,
  `<IMG SRC=JaVaScRiPt:top.__xssHit('case')>`,
  `<img src="jav&#x09;ascript:top.__xssHit('entity')">`,
  `"><script>top.__xssHit('attr break')</script>`,
  `<svg><animate onbegin="top.__xssHit('animate')" attributeName=x dur=1s>`,
];
const TEXT_PAYLOADS = [
  `<img src=x onerror=__xssHit('subject')>`,
  `"><script>__xssHit('quote')</script>`,
  `</title><script>__xssHit('title')</script>`,
  `{{constructor.constructor('__xssHit("template")')()}}`,
  `javascript:__xssHit('proto')`,
];

test("XSS: script payloads in bodies, subjects, sender names and attachment names run nothing in Chromium; no remote request before Show images", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const owner = await makeUser("member");
  const mailboxId = await mailboxOf(owner.id);
  const ids: number[] = [];
  for (const [i, html] of XSS.entries()) {
    const text = TEXT_PAYLOADS[i % TEXT_PAYLOADS.length];
    const { id } = await storeTestEmail(db(), mailboxId, {
      from: { name: `${text} ${i}`, address: `x${i}@example.com` },
      subject: `${text} #${i}`,
      html: `<p>payload ${i}</p>${html}`,
      attachments: [{ filename: `${TEXT_PAYLOADS[(i + 1) % TEXT_PAYLOADS.length]}.txt`, content: "a" }],
    });
    ids.push(id);
  }
  const hits = await watchForScripts(page);
  const remote: string[] = [];
  await page.route(`${REMOTE}/**`, (route) => {
    remote.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "image/gif", body: Buffer.from("R0lGODlhAQABAAAAACw=", "base64") });
  });
  page.on("request", (r) => {
    if (!r.url().startsWith(baseURL!) && !r.url().startsWith("data:") && !r.url().startsWith(REMOTE)) remote.push(r.url());
  });

  await signIn(page, owner);
  await page.goto(`/mail/${mailboxId}`);
  await expect(page.getByRole("link", { name: /#0$/ })).toBeVisible();
  for (const id of ids) {
    await page.goto(`/mail/${mailboxId}/${id}`);
    await expect(page.frameLocator(`iframe[title="Message content"]`).getByText(/payload \d+/)).toBeVisible();
    // Try what a reader would: click links and buttons in the message.
    for (const el of await page.frameLocator(`iframe[title="Message content"]`).locator("a, button").all()) await el.click({ timeout: 1000 }).catch(() => {});
  }
  await page.waitForTimeout(1000);
  const before = remote.length;
  // Show images: remote images load now (the request counter works), still nothing runs.
  await page.goto(`/mail/${mailboxId}/${ids[XSS.findIndex((x) => x.includes("pixel.gif"))]}`);
  await page.getByRole("link", { name: "Show images" }).click();
  await expect.poll(() => remote.length).toBeGreaterThan(0);
  await page.waitForTimeout(500);
  const ran = [...hits];
  // Positive control: the same hook, on a page where script does run, must hear it.
  await expectHookFires(page, hits, baseURL!);
  console.log(`[figure] xss: ${XSS.length} HTML payloads + ${TEXT_PAYLOADS.length} subject/sender/file-name payloads in ${ids.length} messages, list and message pages in Chromium: ${ran.length} scripts ran, ${before} remote requests before Show images, ${remote.length} after; control page: hook heard`);
  expect(ran).toEqual([]);
  expect(before).toBe(0);
});

/**
 * The detection hook: `__xssHit` on every frame's window (callable as `parent.`/`top.` too),
 * and every dialog, recorded. The returned list fills as scripts run.
 */
async function watchForScripts(page: Page): Promise<string[]> {
  const hits: string[] = [];
  await page.exposeFunction("__xssHit", (what: string) => hits.push(what));
  page.on("dialog", (d) => {
    hits.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return hits;
}

/** Serves `pages` (path → body and headers) under the app's origin, as if the app had sent them. */
async function servePages(page: Page, baseURL: string, pages: Map<string, { html: string; headers?: Record<string, string> }>): Promise<void> {
  await page.route(`${baseURL}/__xss/**`, (route) => {
    const found = pages.get(new URL(route.request().url()).pathname);
    return found ? route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", headers: found.headers, body: found.html }) : route.fulfill({ status: 404, body: "" });
  });
}

/** A page that runs script the three ways the payloads call the hook: the hook must hear all three. */
async function expectHookFires(page: Page, hits: string[], baseURL: string): Promise<void> {
  const control = `<script>__xssHit("control")</script><iframe src="/__xss/control-frame"></iframe>`;
  const frame = `<img src=x onerror="parent.__xssHit('control parent');top.__xssHit('control top')">`;
  await servePages(page, baseURL, new Map([["/__xss/control", { html: control }], ["/__xss/control-frame", { html: frame }]]));
  await page.goto("/__xss/control");
  await expect.poll(() => [...hits].sort()).toEqual(["control", "control parent", "control top"]);
  await page.unroute(`${baseURL}/__xss/**`);
}

/** Click what a reader would click in each frame of the page (a click may navigate or detach a frame: bounded, errors ignored). */
async function clickThroughFrames(page: Page): Promise<void> {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || frame.isDetached()) continue;
    const clicks = (async () => {
      for (const el of await frame.$$("a, button")) await el.click({ timeout: 500, noWaitAfter: true }).catch(() => {});
    })().catch(() => {});
    await Promise.race([clicks, new Promise((r) => setTimeout(r, 2_000))]);
  }
}

// Payloads of XSS that run in Chromium when nothing stands in their way (the control below
// checks each of them does). Every layer alone must stop all of them.
const MUST_RUN_UNPROTECTED = ["script", "img onerror", "img parent", "img top", "svg onload", "svg script", "details", "body onload", "srcdoc", "js link"];

test("XSS: each layer alone — sanitiser, frame sandbox, CSP header — stops every payload that runs without them", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const owner = await makeUser("member");
  const mailboxId = await mailboxOf(owner.id);
  const ids: number[] = [];
  for (const [i, html] of XSS.entries()) ids.push((await storeTestEmail(db(), mailboxId, { from: `x${i}@example.com`, subject: `layer ${i}`, html: `<p>payload ${i}</p>${html}` })).id);
  await signIn(page, owner);

  // The layers as the app has them: the message page's frame attribute and the body route's header and output.
  await page.goto(`/mail/${mailboxId}/${ids[0]}`);
  const sandbox = await page.locator(`iframe[title="Message content"]`).getAttribute("sandbox");
  expect(sandbox, "the message frame is sandboxed").not.toBeNull();
  const bodies: Array<{ html: string; csp: string }> = [];
  for (const id of ids) {
    const res = await page.request.get(`/mail/${mailboxId}/${id}/body`);
    expect(res.status()).toBe(200);
    bodies.push({ html: await res.text(), csp: res.headers()["content-security-policy"] ?? "" });
  }
  const csp = bodies[0].csp;
  expect(csp, "the body route sends a CSP").toContain("default-src 'none'");
  expect(new Set(bodies.map((b) => b.csp)).size).toBe(1);

  const hits = await watchForScripts(page);
  // Remote requests that really left the page (reached the network layer), not ones the browser refused.
  const remote: string[] = [];
  await page.route(`${REMOTE}/**`, (route) => {
    remote.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "image/gif", body: Buffer.from("R0lGODlhAQABAAAAACw=", "base64") });
  });
  page.on("requestfinished", (r) => {
    if (!r.url().startsWith(baseURL!) && !r.url().startsWith(REMOTE) && !r.url().startsWith("data:")) remote.push(r.url());
  });

  // Each phase frames every payload under the app's origin with only one layer in place.
  const raw = (i: number) => `<!doctype html><html><head><meta charset="utf-8"></head><body><p>payload ${i}</p>${XSS[i]}</body></html>`;
  const phases: Record<string, { frame: (i: number) => { html: string; headers?: Record<string, string> }; sandbox: boolean }> = {
    control: { frame: (i) => ({ html: raw(i) }), sandbox: false },
    sanitiser: { frame: (i) => ({ html: bodies[i].html }), sandbox: false },
    sandbox: { frame: (i) => ({ html: raw(i) }), sandbox: true },
    csp: { frame: (i) => ({ html: raw(i), headers: { "Content-Security-Policy": csp } }), sandbox: false },
  };
  const pages = new Map<string, { html: string; headers?: Record<string, string> }>();
  for (const [name, phase] of Object.entries(phases)) {
    const frames = XSS.map((_, i) => `<iframe src="/__xss/${name}/${i}"${phase.sandbox ? ` sandbox="${sandbox}"` : ""}></iframe>`).join("");
    pages.set(`/__xss/${name}`, { html: `<!doctype html><html><body>${frames}</body></html>` });
    XSS.forEach((_, i) => pages.set(`/__xss/${name}/${i}`, phase.frame(i)));
  }
  await servePages(page, baseURL!, pages);

  const seen: Record<string, { hits: string[]; remote: number; urls: string[] }> = {};
  for (const name of Object.keys(phases)) {
    hits.length = 0;
    remote.length = 0;
    await page.goto(`/__xss/${name}`);
    expect(page.frames().length).toBeGreaterThan(XSS.length); // goto waited for every frame to load
    await clickThroughFrames(page);
    await page.waitForTimeout(1000);
    seen[name] = { hits: [...new Set(hits)].sort(), remote: remote.length, urls: [...new Set(remote)] };
    await page.goto("about:blank");
  }
  console.log(`[figure] xss-layers: ${XSS.length} payloads; unprotected (control): ${seen.control.hits.length} distinct hook calls (${seen.control.hits.join(", ")}), ${seen.control.remote} remote requests; ` +
    `sanitiser alone: ${seen.sanitiser.hits.length} calls, ${seen.sanitiser.remote} remote; sandbox alone: ${seen.sandbox.hits.length} calls; CSP alone: ${seen.csp.hits.length} calls, ${seen.csp.remote} remote`);
  // Control: without the layers these payloads run, so the hook can see what a layer lets through.
  expect(seen.control.hits).toEqual(expect.arrayContaining(MUST_RUN_UNPROTECTED));
  expect(seen.control.remote).toBeGreaterThan(0);
  expect(seen.sanitiser.hits, "the sanitiser's output, unsandboxed and without CSP").toEqual([]);
  expect(seen.sanitiser.remote, `the sanitiser blocks remote content until Show images: ${seen.sanitiser.urls.join(" ")}`).toBe(0);
  expect(seen.sandbox.hits, "raw payloads in the app's sandboxed frame, without CSP").toEqual([]);
  expect(seen.csp.hits, "raw payloads under the app's CSP, unsandboxed").toEqual([]);
  expect(seen.csp.remote, `the CSP blocks remote content: ${seen.csp.urls.join(" ")}`).toBe(0);
});

// ---------- Secrets ----------
const SECRET = {
  profile: `Px9-Profile-${crypto.randomUUID().slice(0, 8)}`,
  outgoing: `Px9-Outgoing-${crypto.randomUUID().slice(0, 8)}`,
  mailbox: `Px9-Mailbox-${crypto.randomUUID().slice(0, 8)}`,
  typed: `Px9-Typed-${crypto.randomUUID().slice(0, 8)}`,
  // The profile's OAuth app (issue 11): its client secret, a service account key, and a secret typed into the form.
  clientSecret: `Px9-ClientSecret-${crypto.randomUUID().slice(0, 8)}`,
  serviceAccountKey: `Px9ServiceAccountKey${crypto.randomUUID().slice(0, 8)}`,
  typedClientSecret: `Px9-TypedClientSecret-${crypto.randomUUID().slice(0, 8)}`,
};

/** Our own web server and worker, so their logs can be read. */
async function startOwnServers(extraEnv: Record<string, string> = {}): Promise<{ url: string; logs: () => string; stop: () => Promise<void> }> {
  const port = await freePort();
  const root = path.resolve(import.meta.dirname, "../..");
  const env = { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL!, PORT: String(port), LOG_LEVEL: "debug", ...extraEnv };
  let logs = "";
  const children: ChildProcess[] = [
    // Built as npm start runs them (the webServer entries of playwright.config.ts built them before the tests).
    spawn(process.execPath, ["dist/web/index.mjs", "-p", String(port), "-H", "127.0.0.1"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true }),
    spawn(process.execPath, ["dist/worker/index.cjs"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true }),
  ];
  for (const c of children) {
    c.stdout!.on("data", (d) => (logs += d));
    c.stderr!.on("data", (d) => (logs += d));
  }
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/sign-in`)).ok && logs.includes("worker started")) break;
    } catch {
      // not up yet
    }
    if (i > 240) throw new Error(`own servers did not start:\n${logs}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    logs: () => logs,
    stop: async () => {
      for (const c of children) {
        try {
          process.kill(-c.pid!, "SIGTERM");
        } catch {
          // gone
        }
      }
      await new Promise((r) => setTimeout(r, 1000));
    },
  };
}

test("secrets: every page as every role, RSC payloads, action responses and both processes' logs hold no password", async ({ browser }) => {
  test.setTimeout(300_000);
  const own = await startOwnServers();
  try {
    const w = await makeWorld();
    await db()`update profiles set credential_mode = 'profile', user_name = 'shared', password_sealed = ${sealSecret(SECRET.profile, null)}, use_same_for_outgoing = false,
      outgoing_user_name = 'relay', outgoing_password_sealed = ${sealSecret(SECRET.outgoing, null)} where id = ${w.profileId}`;
    // Outgoing signs in with OAuth 2.0 (client credentials of a hand-made server), so the form shows the OAuth app too.
    const serviceAccountJson = JSON.stringify({ type: "service_account", client_email: "crawl@example.iam.gserviceaccount.com", private_key: `-----BEGIN PRIVATE KEY-----\n${SECRET.serviceAccountKey}\n-----END PRIVATE KEY-----\n` });
    await db()`update profiles set outgoing_auth_method = 'xoauth2', oauth_provider = 'generic', oauth_client_id = 'crawl-client', oauth_client_secret_sealed = ${sealSecret(SECRET.clientSecret, null)},
      oauth_service_account_key_sealed = ${sealSecret(serviceAccountJson, null)}, oauth_token_url = 'https://127.0.0.1:1/token', oauth_scopes = 'mail' where id = ${w.profileId}`;
    const [q] = await db()`insert into mailboxes (kind, name, email_address, owner_id, profile_id, incoming_delivery, user_name, password_sealed, approved_at)
      values ('queue', 'Secret queue', ${`secret.${crypto.randomUUID().slice(0, 6)}@example.com`}, ${w.people.owner.id}, ${w.profileId}, 'server_side_sync', 'queue-login', ${sealSecret(SECRET.mailbox, null)}, now()) returning id`;
    // Both mailboxes are due, so a worker tries their servers with these passwords (and logs the failure).
    await db()`update mailboxes set incoming_enabled = true, incoming_status = 'success', next_sync_at = now() where id in (${q.id}, ${w.mailboxId})`;
    const captured: string[] = [];
    const leaks: string[] = [];
    const check = (where: string, text: string) => {
      captured.push(text);
      for (const [name, s] of Object.entries(SECRET)) if (text.includes(s)) leaks.push(`${where}: ${name}`);
    };

    // An admin types a new profile password into the form (the action's response is captured).
    const adminContext = await signedInContext(browser, w.people.admin, own.url);
    const page = await adminContext.newPage();
    page.on("response", async (r) => {
      if (r.request().method() === "POST") check(`action response ${r.url()}`, await r.text().catch(() => ""));
    });
    await page.goto(`/profiles/${w.profileId}/edit`);
    await page.getByLabel(/^Password$/).first().fill(SECRET.typed);
    await page.getByLabel(/^Client secret$/).fill(SECRET.typedClientSecret);
    await page.getByLabel(/Maximum concurrent connections/).fill("99999"); // refused: the form comes back, must not echo the password
    await page.getByRole("button", { name: /^Save/ }).click();
    await expect(page.getByText(/1 to 1000/)).toBeVisible();
    check("form after a refused save", await page.content());
    // Test & enable the secret queue through our web server: it connects with the profile's
    // passwords, fails (nothing listens on port 1) and logs why.
    await page.goto(`/mailboxes/${q.id}`);
    await page.getByRole("button", { name: "Test & enable" }).first().click();
    await expect(page.getByText(/Test & enable results|failure|failed/i).first()).toBeVisible({ timeout: 30_000 });
    check("mailbox page after test & enable", await page.content());
    await adminContext.close();

    const routes = discoverRoutes().filter((r) => r.pattern !== "/api/auth/[...nextauth]");
    let pages = 0;
    for (const who of ["admin", "manager", "owner", "other", "signedOut"] as Who[]) {
      const context = await signedInContext(browser, who === "signedOut" ? null : w.people[who], own.url);
      const p = await context.newPage();
      for (const r of routes) {
        const url = concrete(r.pattern, w).replace(`/mailboxes/${w.mailboxId}`, `/mailboxes/${q.id}`);
        for (const u of r.pattern === "/mailboxes/[id]" ? [url, concrete(r.pattern, w)] : [url]) {
          const res = await p.goto(u).catch(() => null);
          if (res) check(`${who} ${u} html`, await p.content());
          const rsc = await context.request.get(u, { headers: { RSC: "1" } });
          check(`${who} ${u} rsc`, await rsc.text());
          pages++;
        }
      }
      await context.close();
    }
    // Give the worker a moment to try the mailboxes (a refused login is logged).
    await new Promise((r) => setTimeout(r, 2000));
    check("web server and worker logs", own.logs());
    console.log(`[figure] secrets-crawl: ${pages} page loads (HTML + RSC) as 5 callers, an action response, ${own.logs().length} bytes of web-server and worker logs (${(own.logs().match(/"msg":"sync failed"/g) ?? []).length} failed syncs logged): ${leaks.length} occurrences of ${Object.keys(SECRET).length} secrets (passwords, OAuth client secrets, a service account key)`);
    expect(captured.join("").length).toBeGreaterThan(100_000);
    expect(leaks).toEqual([]);
  } finally {
    await own.stop();
  }
});

// ---------- Sign-in ----------
test("session cookie: HttpOnly and SameSite; Secure (with the __Secure- prefix) when the request came over HTTPS", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const user = await makeUser("member");
  await signIn(page, user);
  const session = (await page.context().cookies()).find((c) => /authjs\.session-token/.test(c.name));
  expect(session, "a session cookie").toBeDefined();
  expect(session!.httpOnly).toBe(true);
  expect(["Lax", "Strict"]).toContain(session!.sameSite);

  // A client that merely claims HTTPS (x-forwarded-proto from an untrusted address) gets no Secure cookies.
  const claimed = await fetch(`${baseURL}/api/auth/csrf`, { headers: { "x-forwarded-proto": "https" } });
  expect(claimed.headers.getSetCookie().join("\n")).not.toMatch(/__Host-|;\s*Secure/i);

  // Behind a trusted TLS-terminating proxy (here: this machine, MAILROOM_TRUSTED_PROXIES), next-auth marks its cookies Secure.
  const own = await startOwnServers({ MAILROOM_TRUSTED_PROXIES: "127.0.0.1" });
  try {
    const https = { "x-forwarded-proto": "https", "x-forwarded-host": new URL(own.url).host };
    const csrf = await fetch(`${own.url}/api/auth/csrf`, { headers: https });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookies = csrf.headers.getSetCookie();
    expect(csrfCookies.join("\n")).toMatch(/__Host-authjs\.csrf-token=.*; (.*; )?Secure/i);
    const res = await fetch(`${own.url}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { ...https, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies.map((c) => c.split(";")[0]).join("; ") },
      body: new URLSearchParams({ csrfToken, email: user.email, password: user.password }),
    });
    const sessionCookie = res.headers.getSetCookie().find((c) => /authjs\.session-token=/.test(c));
    expect(sessionCookie, `a session cookie over HTTPS (status ${res.status})`).toBeDefined();
    expect(sessionCookie).toMatch(/^__Secure-authjs\.session-token=/);
    expect(sessionCookie).toMatch(/;\s*Secure/i);
    expect(sessionCookie).toMatch(/;\s*HttpOnly/i);
    expect(sessionCookie).toMatch(/;\s*SameSite=(Lax|Strict)/i);
  } finally {
    await own.stop();
  }
  // The sign-in rate limit is proven in tests/integration/users/users.test.ts and tests/e2e/sign-in-limit.spec.ts.
});

test("a server action posted from another origin is refused; the same request from our origin works", async ({ page, baseURL }) => {
  await page.goto("/sign-in");
  const html = await page.content();
  // The language switch is a server action form; its id is in the page's hidden inputs.
  const id = /name="\$ACTION_ID_([0-9a-f]{40,})"/.exec(html)?.[1];
  expect(id, "an action id on the sign-in page").toBeDefined();
  // The two ways a browser calls an action: fetch with the Next-Action header and the form
  // encoded as React does, and a plain form post (no JavaScript).
  const variants: Record<string, () => { headers: Record<string, string>; body: FormData }> = {
    "Next-Action header": () => {
      const body = new FormData();
      body.set("0", '["$K1"]');
      body.set("_1_locale", "ja");
      body.set("1_locale", "ja");
      return { headers: { "Next-Action": id! }, body };
    },
    "form post": () => {
      const body = new FormData();
      body.set(`$ACTION_ID_${id}`, "");
      body.set("locale", "ja");
      return { headers: {}, body };
    },
  };
  const results: string[] = [];
  let worked = 0;
  for (const [name, make] of Object.entries(variants)) {
    const post = (origin: string) => {
      const { headers, body } = make();
      return fetch(`${baseURL}/sign-in`, { method: "POST", redirect: "manual", headers: { ...headers, Origin: origin }, body });
    };
    const ours = await post(baseURL!);
    const oursRan = /locale=ja/.test(ours.headers.getSetCookie().join("\n"));
    const foreign = await post("https://evil.example");
    const foreignRan = /locale=/.test(foreign.headers.getSetCookie().join("\n"));
    results.push(`${name}: same origin ${ours.status}${oursRan ? " (ran)" : ""}, foreign origin ${foreign.status}${foreignRan ? " (RAN)" : " (refused)"}`);
    if (oursRan) worked++;
    expect(foreignRan, `${name}: another origin's call must not run`).toBe(false);
    if (oursRan) expect(foreign.status, `${name}: another origin is refused`).toBeGreaterThanOrEqual(400);
  }
  console.log(`[figure] origin: ${results.join("; ")}`);
  expect(worked, `the same call from our origin runs (so the refusal is about the origin): ${results.join("; ")}`).toBeGreaterThan(0);
});

// ---------- Forms through the browser ----------
test("forms posted through the browser past its own checks: refused beside the field, nothing stored", async ({ page }) => {
  const admin = await makeUser("admin");
  await signIn(page, admin);
  const cases: Array<{ url: string; fill: (p: Page) => Promise<void>; error: RegExp; table: string }> = [
    { url: "/users/new", table: "users", error: /valid email/i, fill: async (p) => {
      await p.getByLabel("Email").fill("not-an-email");
      await p.getByLabel("Name").fill("X");
      await p.getByLabel("Password").fill("Quiet-Harbour-8812");
    } },
    { url: "/profiles/new", table: "profiles", error: /1 to 65535/, fill: async (p) => {
      await p.getByLabel(/^Name/).fill(`Bad port ${Date.now()}`);
      await p.getByLabel(/Incoming server location/).fill("imap.example.com");
      await p.getByLabel(/Outgoing server location/).fill("smtp.example.com");
      await p.getByLabel(/^Incoming port/).fill("70000");
    } },
    { url: "/mailboxes/new", table: "mailboxes", error: /email address such as/i, fill: async (p) => {
      await p.getByLabel(/^Name/).fill("Bad queue");
      await p.getByLabel(/Email address/).fill("no-at-sign");
    } },
  ];
  for (const c of cases) {
    const [{ n: before }] = await db().unsafe(`select count(*)::int as n from ${c.table}`);
    await page.goto(c.url);
    // Turn off the browser's own checks, as a crafted request would.
    await page.evaluate(() => document.querySelectorAll("form").forEach((f) => f.setAttribute("novalidate", "")));
    await page.evaluate(() => document.querySelectorAll("input").forEach((i) => { i.removeAttribute("min"); i.removeAttribute("max"); i.removeAttribute("pattern"); if (i.type === "email" || i.type === "number") i.type = "text"; }));
    await c.fill(page);
    await page.getByRole("button", { name: /^(Save|Create)/ }).first().click();
    await expect(page.getByText(c.error).first(), c.url).toBeVisible();
    const [{ n: after }] = await db().unsafe(`select count(*)::int as n from ${c.table}`);
    expect(after, `${c.url}: nothing stored`).toBe(before);
  }
});
