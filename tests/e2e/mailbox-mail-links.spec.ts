import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { storeTestEmail } from "../integration/emails/store-test-email";
import { db, makeUser, signIn } from "./support/accounts";

test("from their mailbox page a member reaches its mail, sees the sync state, and is told why it cannot reply yet", async ({ page }) => {
  const member = await makeUser("member");
  const [m] = await db()`select id from mailboxes where user_id = ${member.id}`;
  const subject = `Quarterly figures ${crypto.randomUUID().slice(0, 6)}`;
  await storeTestEmail(db(), m.id, { from: "Carol <carol@example.org>", to: member.email, subject, text: "See attached.", messageId: `<${crypto.randomUUID()}@example.org>` });

  await signIn(page, member);
  await page.goto(`/mailboxes/${m.id}`);
  await expect(page.getByTestId("sync-progress")).toHaveText("Not synchronised yet.");
  // Not set up for server-side sync yet: nothing to sync now.
  await expect(page.getByRole("button", { name: "Sync now" })).toHaveCount(0);

  await page.getByRole("link", { name: "Received mail" }).click();
  await expect(page).toHaveURL(new RegExp(`/mail/${m.id}$`));
  await page.getByRole("link", { name: subject }).click();

  await page.getByRole("link", { name: "Reply" }).click();
  await expect(page).toHaveURL(new RegExp(`/compose/${m.id}\\?replyTo=`));
  await expect(page.getByRole("heading", { name: /^Reply/ })).toBeVisible();
  // This mailbox has no outgoing server-side sync yet, and the compose page says so instead of a form.
  await expect(page.getByRole("alert").filter({ hasText: "cannot send email right now" })).toContainText("ask an administrator");
});
