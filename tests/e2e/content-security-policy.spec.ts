// App pages send a nonce-based Content-Security-Policy (issue 13): Next's own scripts carry
// the nonce and still run; a script injected into the page without it does not.
import { expect, test } from "@playwright/test";
import { makeUser, signIn } from "./support/accounts";

test("every app page sends a fresh script nonce, its scripts carry it, and a script without it is blocked", async ({ page, request }) => {
  const nonces = new Set<string>();
  for (const url of ["/sign-in", "/sign-in"]) {
    const res = await request.get(url);
    const csp = res.headers()["content-security-policy"] ?? "";
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    nonces.add(nonce!);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(2);

  // A script that got into the page without the nonce (as a stored injection would) does not run,
  // while the page's own scripts do: the sign-in form still works through React.
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.route("**/sign-in", async (route) => {
    if (route.request().method() !== "GET") return route.continue();
    const res = await route.fetch();
    const body = (await res.text()).replace("</body>", "<script>window.__injected = true</script></body>");
    await route.fulfill({ response: res, body });
  });
  const user = await makeUser("member");
  await page.goto("/sign-in");
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected === true)).toBe(false);
  expect(violations.length).toBeGreaterThan(0);
  await page.unroute("**/sign-in");
  await signIn(page, user);
  const mailboxes = await page.request.get("/mailboxes", { maxRedirects: 0 });
  expect(mailboxes.status()).toBe(200);
  expect(mailboxes.headers()["content-security-policy"] ?? "").toContain("'strict-dynamic'");
});
