import { expect, test } from "@playwright/test";
import { ADMIN, makeUser, signIn } from "./support/accounts";

test("a member sees only their own items and gets a 403 page on admin URLs", async ({ page }) => {
  const member = await makeUser("member");
  await signIn(page, member);
  const nav = page.getByRole("navigation", { name: "main" });
  await expect(nav.getByRole("link", { name: "Mailboxes" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Alerts" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Users" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Server profiles" })).toHaveCount(0);

  for (const url of ["/users", "/users/new", "/settings", "/profiles"]) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(403);
    await expect(page.getByTestId("forbidden")).toBeVisible();
  }
});

test("a mailbox manager may read profiles but not manage users", async ({ page }) => {
  const manager = await makeUser("mailbox_manager");
  await signIn(page, manager);
  expect((await page.goto("/profiles"))?.status()).toBe(200);
  expect((await page.goto("/users"))?.status()).toBe(403);
});

test("an admin creates a user with a role, who can then sign in; a deactivated user cannot", async ({ page, browser }) => {
  await signIn(page, ADMIN);
  await page.goto("/users/new");
  // The list is by email, 50 a page, and other specs add many users ("admin.…", "member.…"):
  // an address that sorts first keeps the new user on the first page however many came before.
  const email = `a.new.${Date.now()}@example.com`;
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name").fill("Nina New");
  await page.getByLabel("Role").selectOption("mailbox_manager");
  await page.getByLabel("Password").fill("Nina-Password-7");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/users$/);
  const row = page.getByRole("row", { name: /Nina New/ });
  await expect(row).toContainText("Mailbox manager");

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await signIn(p2, { email, password: "Nina-Password-7" });
  await expect(p2.getByRole("navigation", { name: "main" }).getByRole("link", { name: "Server profiles" })).toBeVisible();

  await row.getByRole("link", { name: "Nina New" }).click();
  await page.getByLabel("Active").uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("row", { name: /Nina New/ })).toContainText("Deactivated");

  // The open session loses access at once: the actor is read from the database on every request.
  await p2.goto("/mailboxes");
  await expect(p2).toHaveURL(/\/sign-in/);
  await other.close();
});

test("signed-out visitors are sent to sign in", async ({ page }) => {
  for (const url of ["/mailboxes", "/users", "/alerts"]) {
    await page.goto(url);
    await expect(page).toHaveURL(/\/sign-in/);
  }
});
