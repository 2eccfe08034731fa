import { expect, test } from "@playwright/test";
import { ADMIN } from "./support/accounts";

test("first run: setup creates the admin once, then sign in and sign out", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up Mailroom" })).toBeVisible();

  // A weak password is refused beside its field, and what was typed stays.
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Name").fill(ADMIN.name);
  await page.getByLabel("Password").fill("weak");
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.locator('[data-field-error="password"]')).toContainText("10 characters");
  await expect(page.getByLabel("Email")).toHaveValue(ADMIN.email);

  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // The setup page is gone for good.
  const again = await page.goto("/setup");
  expect(again?.status()).toBe(404);
  await page.goto("/sign-in");

  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("Wrong-Password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator('[data-form-status="error"]')).toHaveText("Wrong email or password.");

  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/mailboxes/);
  await expect(page.getByTestId("signed-in-as")).toContainText(ADMIN.name);
  for (const item of ["Mailboxes", "Server profiles", "Email settings", "Alerts", "Users"]) {
    await expect(page.getByRole("navigation", { name: "main" }).getByRole("link", { name: item })).toBeVisible();
  }

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/users");
  await expect(page).toHaveURL(/\/sign-in/);
});
