// Issue 18, quarantine: messages stored raw and flagged get a screen with the
// reason, the raw download (checked like the message page) and "parse again".
import crypto from "node:crypto";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { catalog } from "../../lib/i18n/catalog";
import { storeTestEmail } from "../integration/emails/store-test-email";
import { storeUnparsedEmail } from "../integration/emails/store-unparsed-email";
import { db, makeUser, signIn } from "./support/accounts";

async function mailboxOf(userId: string): Promise<string> {
  const [m] = await db()`select id from mailboxes where user_id = ${userId}`;
  return m.id as string;
}

test("a member sees why mail is quarantined, downloads the raw message and parses it again (English)", async ({ page, browser }) => {
  const member = await makeUser("member");
  const mailboxId = await mailboxOf(member.id);
  const tag = crypto.randomUUID().slice(0, 8);
  await storeTestEmail(db(), mailboxId, { from: "fine@example.com", to: member.email, subject: `Parsed fine ${tag}`, text: "ok" });
  const broken = await storeUnparsedEmail(db(), mailboxId, { subject: `Broken invoice ${tag}`, text: `Invoice body ${tag}`, attachments: 1 });
  const big = await storeTestEmail(db(), mailboxId, { from: "big@example.com", to: member.email, subject: `Huge scan ${tag}`, text: "x" }, { oversized: true });
  await db()`update emails set size_bytes = ${60 * 1024 * 1024} where id = ${big.id}`;

  await signIn(page, member);
  await page.goto(`/mail/${mailboxId}`);
  await page.getByRole("link", { name: "Quarantine", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Quarantine — ${member.name}` })).toBeVisible();
  await expect(page.getByText("2 messages in quarantine")).toBeVisible();
  const brokenRow = page.locator(`tr[data-email-id="${broken.id}"]`);
  const bigRow = page.locator(`tr[data-email-id="${big.id}"]`);
  await expect(brokenRow.locator("[data-reason]")).toContainText("Could not be parsed");
  await expect(brokenRow.locator("[data-reason]")).toContainText("Parser's report: an older parser gave up: Unexpected end of input");
  await expect(bigRow.locator("[data-reason]")).toContainText("Too large (60 MB): headers only");
  // An oversized message has nothing more to parse: no button.
  await expect(bigRow.getByRole("button", { name: "Parse again" })).toHaveCount(0);
  await expect(page.getByText(`Parsed fine ${tag}`)).toHaveCount(0);

  // The raw download is the stored source, byte for byte.
  const [download] = await Promise.all([page.waitForEvent("download"), brokenRow.getByRole("link", { name: "Download raw message" }).click()]);
  expect(download.suggestedFilename()).toBe(`message-${broken.id}.eml`);
  expect(fs.readFileSync((await download.path())!).equals(broken.raw)).toBe(true);

  // Another member may not download it (404, as for the message page).
  const other = await makeUser("member");
  const otherContext = await browser.newContext();
  const otherPage = await otherContext.newPage();
  await signIn(otherPage, other);
  expect((await otherPage.request.get(`/mail/${mailboxId}/${broken.id}/raw`)).status()).toBe(404);
  expect((await otherPage.request.get(`/mail/${mailboxId}/quarantine`)).status()).toBe(404);
  await otherContext.close();

  await brokenRow.getByRole("button", { name: "Parse again" }).click();
  await expect(page.getByTestId("reparsed")).toContainText("Parsed: the message left quarantine");
  await expect(page.getByText("1 messages in quarantine")).toBeVisible();
  await expect(brokenRow).toHaveCount(0);
  await page.getByTestId("reparsed").getByRole("link", { name: "Open the message" }).click();
  await expect(page.getByRole("heading", { name: `Broken invoice ${tag}` })).toBeVisible();
  await expect(page.getByText(`Invoice body ${tag}`)).toBeVisible();
  await expect(page.getByRole("link", { name: "file-0.txt" })).toBeVisible();
  const [{ n }] = await db()`select count(*)::int as n from emails where mailbox_id = ${mailboxId}`;
  expect(n).toBe(3);
});

test.describe("in Japanese", () => {
  test.use({ locale: "ja-JP" });
  const ja = catalog.ja;

  test("the quarantine screen, its reasons and parse again are in Japanese", async ({ page }) => {
    const member = await makeUser("member");
    const mailboxId = await mailboxOf(member.id);
    const tag = crypto.randomUUID().slice(0, 8);
    const broken = await storeUnparsedEmail(db(), mailboxId, { subject: `請求書 ${tag}`, text: `本文 ${tag}` });
    const big = await storeTestEmail(db(), mailboxId, { from: "big@example.com", to: member.email, subject: `大きい ${tag}`, text: "x" }, { oversized: true });

    await signIn(page, member);
    await page.goto(`/mail/${mailboxId}`);
    await page.getByRole("link", { name: ja["quarantine.link"], exact: true }).click();
    await expect(page.getByRole("heading", { name: ja["quarantine.title"].replace("{name}", member.name) })).toBeVisible();
    await expect(page.getByText(ja["quarantine.intro"])).toBeVisible();
    await expect(page.locator(`tr[data-email-id="${broken.id}"] [data-reason]`)).toContainText(ja["quarantine.reason.unparsed"]);
    await expect(page.locator(`tr[data-email-id="${big.id}"] [data-reason]`)).toContainText("サイズ超過");
    await expect(page.locator(`tr[data-email-id="${big.id}"]`)).toContainText(ja["quarantine.oversizedNote"]);
    await expect(page.getByRole("link", { name: ja["quarantine.download"] })).toHaveCount(2);

    await page.locator(`tr[data-email-id="${broken.id}"]`).getByRole("button", { name: ja["quarantine.reparse"] }).click();
    await expect(page.getByTestId("reparsed")).toContainText(ja["quarantine.reparse.parsed"]);
    await page.getByRole("link", { name: ja["quarantine.openMessage"] }).click();
    await expect(page.getByText(`本文 ${tag}`)).toBeVisible();
  });
});
