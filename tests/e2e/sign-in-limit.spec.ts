import { expect, test } from "@playwright/test";
import { makeUser } from "./support/accounts";

test("repeated wrong passwords for one account are slowed down, even with the right one after", async ({ page }) => {
  const user = await makeUser("member");
  await page.goto("/sign-in");
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(`Wrong-Password-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator('[data-form-status="error"]')).toHaveText("Wrong email or password.");
  }
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator('[data-form-status="error"]')).toContainText("Too many failed attempts");
  await expect(page).toHaveURL(/\/sign-in/);
});
