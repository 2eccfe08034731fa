import { expect, test, type Page } from "@playwright/test";
import { makeUser } from "./support/accounts";

/**
 * Submits the sign-in form and waits for the server's answer and for React to
 * reset the form after it (a fill before that reset would be wiped, and the
 * browser would then refuse to submit the empty required field).
 */
async function submit(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/sign-in")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await expect(page.getByLabel("Password")).toHaveValue("");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
}

test("repeated wrong passwords for one account are slowed down, even with the right one after", async ({ page }) => {
  const user = await makeUser("member");
  await page.goto("/sign-in");
  for (let i = 0; i < 5; i++) {
    await submit(page, user.email, `Wrong-Password-${i}`);
    await expect(page.locator('[data-form-status="error"]')).toHaveText("Wrong email or password.");
  }
  await submit(page, user.email, user.password);
  await expect(page.locator('[data-form-status="error"]')).toContainText("Too many failed attempts");
  await expect(page).toHaveURL(/\/sign-in/);
});
