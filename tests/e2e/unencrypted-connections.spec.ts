// "Allow unencrypted connections (not recommended)" (issue 13): an admin ticks it on the
// profile form; the profile page and the pages of its mailboxes then warn; without it the
// warning is absent. Managers see the warning but cannot change the profile.
import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { en } from "../../lib/i18n/messages/profiles";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";

const labelled = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*ⓘ?$`);

test("an admin allows unencrypted connections on a profile; the profile and its mailboxes warn", async ({ page, browser }) => {
  await signIn(page, ADMIN);
  await page.goto("/profiles/new");
  await page.getByLabel(labelled(en["profiles.field.serverType"])).selectOption("pop3smtp");
  await page.getByLabel(labelled(en["profiles.field.name"])).fill(`Legacy server ${crypto.randomUUID().slice(0, 6)}`);
  await page.getByLabel(labelled(en["profiles.field.incomingHost"])).fill("imap.example.com");
  await page.getByLabel(labelled(en["profiles.field.outgoingHost"])).fill("smtp.example.com");
  await page.getByLabel(labelled(en["profiles.field.incomingTls"])).uncheck();
  await page.getByLabel(labelled(en["profiles.field.outgoingTls"])).uncheck();
  const allow = page.getByLabel(labelled(en["profiles.field.allowUnencrypted"]));
  await expect(allow).not.toBeChecked();
  await allow.check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  const profileId = page.url().split("/").pop()!;
  await expect(page.getByTestId("unencrypted-warning")).toHaveText(en["profiles.warning.unencrypted"]);

  const owner = await makeUser("member");
  await db()`update mailboxes set profile_id = ${profileId} where user_id = ${owner.id}`;
  const [box] = await db()`select id from mailboxes where user_id = ${owner.id}`;
  const manager = await makeUser("mailbox_manager");
  const context = await browser.newContext();
  const other = await context.newPage();
  await signIn(other, manager);
  await other.goto(`/mailboxes/${box.id}`);
  await expect(other.getByTestId("unencrypted-warning")).toBeVisible();
  await other.goto(`/profiles/${profileId}`);
  await expect(other.getByTestId("unencrypted-warning")).toBeVisible();
  expect((await other.goto(`/profiles/${profileId}/edit`))?.status()).toBe(403);
  await context.close();

  // Unticked again: no warning.
  await page.goto(`/profiles/${profileId}/edit`);
  await page.getByLabel(labelled(en["profiles.field.allowUnencrypted"])).uncheck();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/profiles/${profileId}$`));
  await expect(page.getByTestId("unencrypted-warning")).toHaveCount(0);
});
