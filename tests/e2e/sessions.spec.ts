// Sessions and the sign-in throttle against the running app (issue 13): a saved session
// cookie stops working at sign-out, at a password change and at "sign out everywhere";
// forged forwarded headers over raw HTTP do not get past the per-address limit.
import { expect, test, type APIRequestContext, type Browser } from "@playwright/test";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";

/** Signs `who` in in a fresh browser context and returns the session cookie it got. */
async function signedInCookie(browser: Browser, who: { email: string; password: string }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, who);
  const cookie = (await context.cookies()).find((c) => c.name.endsWith("authjs.session-token"));
  expect(cookie).toBeTruthy();
  return { context, page, cookie: `${cookie!.name}=${cookie!.value}` };
}

/** What a saved cookie gets for the mailboxes page: 200 while the session lives, a redirect to sign-in after. */
async function mailboxesWith(request: APIRequestContext, cookie: string) {
  const res = await request.get("/mailboxes", { headers: { cookie }, maxRedirects: 0 });
  return res.status() === 200 ? "signed in" : `${res.status()} ${res.headers()["location"] ?? ""}`;
}

test("signing out ends the session: the saved cookie no longer opens pages", async ({ browser, playwright }) => {
  const user = await makeUser("member");
  const { context, page, cookie } = await signedInCookie(browser, user);
  const request = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  expect(await mailboxesWith(request, cookie)).toBe("signed in");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect(await mailboxesWith(request, cookie)).toMatch(/^30\d .*\/sign-in/);
  await context.close();
  await request.dispose();
});

test("an admin's password reset and 'sign out everywhere' end the user's open sessions", async ({ browser, page, playwright }) => {
  const user = await makeUser("member");
  const request = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  const first = await signedInCookie(browser, user);
  expect(await mailboxesWith(request, first.cookie)).toBe("signed in");

  await signIn(page, ADMIN);
  await page.goto(`/users/${user.id}`);
  await page.getByLabel(/^New password/).fill("Reset-Password-31");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/users$/);
  expect(await mailboxesWith(request, first.cookie)).toMatch(/^30\d .*\/sign-in/);
  await first.page.goto("/mailboxes");
  await expect(first.page).toHaveURL(/\/sign-in/);

  const second = await signedInCookie(browser, { email: user.email, password: "Reset-Password-31" });
  expect(await mailboxesWith(request, second.cookie)).toBe("signed in");
  await page.goto(`/users/${user.id}`);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.locator('[data-form-status="ok"]')).toContainText("Signed out everywhere");
  expect(await mailboxesWith(request, second.cookie)).toMatch(/^30\d .*\/sign-in/);
  await first.context.close();
  await second.context.close();
  await request.dispose();
});

test("raw HTTP: failures with a different forged X-Forwarded-For each still count against the one real address", async ({ playwright }) => {
  const target = await makeUser("member");
  const request = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  /** One sign-in straight at next-auth's credentials callback; returns where it sends us. */
  async function attempt(email: string, password: string, forged: string): Promise<string> {
    const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
    const res = await request.post("/api/auth/callback/credentials", {
      form: { email, password, csrfToken },
      headers: { "x-forwarded-for": forged, "x-real-ip": forged },
      maxRedirects: 0,
    });
    return res.headers()["location"] ?? String(res.status());
  }
  try {
    for (let i = 0; i < 20; i++) {
      expect(await attempt(`nobody.${i}.${Date.now()}@example.com`, "Wrong-Password-1", `198.51.100.${i}`)).toMatch(/error=CredentialsSignin/);
    }
    // This client's real address has failed 20 times: refused, right password or not, whatever it claims to be.
    expect(await attempt(target.email, target.password, "203.0.113.77")).toMatch(/code=rate_limited/);
  } finally {
    // The browser tests all come from this address.
    await db()`delete from sign_in_throttle`;
    await request.dispose();
  }
});
