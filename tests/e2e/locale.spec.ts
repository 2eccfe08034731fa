import { expect, test } from "@playwright/test";
import { makeUser, signIn } from "./support/accounts";

test.describe("Japanese browser", () => {
  test.use({ locale: "ja-JP" });

  test("pages follow Accept-Language, and the switch changes the language", async ({ page }) => {
    await page.goto("/sign-in");
    await expect(page.getByRole("heading", { name: "サインイン" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");

    const member = await makeUser("member");
    await signIn(page, member);
    await expect(page.getByRole("navigation", { name: "main" }).getByRole("link", { name: "メールボックス" })).toBeVisible();

    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("navigation", { name: "main" }).getByRole("link", { name: "Mailboxes" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");

    await page.getByRole("button", { name: "日本語" }).click();
    await expect(page.getByRole("button", { name: "サインアウト" })).toBeVisible();
  });
});
