// Browser tests for issue 18 (conversations, automatic mail and bounces), in
// English and Japanese: messages are stored through the real store path (so
// threads and flags are computed as the worker computes them), then read in the
// mail list (flat and by conversation), on the message page, and in the compose
// form, which warns about an address that bounced.
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createDb } from "../../db/client";
import { catalog } from "../../lib/i18n/catalog";
import { sealSecret } from "../../lib/crypto/seal-secret";
import { hashSource, parseMessage } from "../../lib/mail/parse-message";
import { storeMessages } from "../../lib/sync/store-messages";
import { db, makeUser, signIn } from "./support/accounts";

test.describe.configure({ mode: "serial" });

const ja = catalog.ja;
let drizzle: ReturnType<typeof createDb> | undefined;
test.afterAll(async () => {
  await drizzle?.close();
});

async function store(mailboxId: string, lines: string[]) {
  drizzle ??= createDb(process.env.E2E_DATABASE_URL!, { max: 2 });
  const raw = Buffer.from([...lines, "", "Hello.", ""].join("\r\n"));
  await storeMessages(drizzle.db, {
    mailboxId,
    workerId: null,
    leaseMs: 0,
    maxMessageBytes: 1_000_000,
    alertRecipientIds: [],
    cursor: {},
    messages: [{ sourceKey: `router:${hashSource(raw)}`, raw, sizeBytes: raw.length, oversized: false, contentHash: hashSource(raw), parsed: await parseMessage(raw) }],
  });
}

/** A member whose mailbox holds a two-message conversation, an auto-reply and a bounce for gone.<tag>@example.net; sending enabled. */
async function mailboxWithMail(tag: string) {
  const member = await makeUser("member", `Threads ${tag}`);
  const [m] = await db()`select id from mailboxes where user_id = ${member.id}`;
  const mailboxId = m.id as string;
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, outgoing_tls, credential_mode)
    values (${`E2E threads ${tag}`}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', 993, 1, true, false, 'mailbox') returning id`;
  // Sending "enabled" towards a closed port: the compose form is open; these tests never press Send successfully.
  await db()`update mailboxes set profile_id = ${p.id}, outgoing_delivery = 'server_side_sync', outgoing_enabled = true, outgoing_status = 'success',
    approved_at = now(), user_name = 'nobody', password_sealed = ${sealSecret("x", null)} where id = ${mailboxId}`;
  const at = (min: number) => `Date: ${new Date(Date.now() - min * 60_000).toUTCString()}`;
  await store(mailboxId, ["From: Quinn <quinn@example.com>", `Subject: Budget ${tag}`, `Message-ID: <budget.${tag}@example.com>`, at(50)]);
  await store(mailboxId, ["From: Rita <rita@example.com>", `Subject: Re: Budget ${tag}`, `Message-ID: <budget-re.${tag}@example.com>`, `In-Reply-To: <budget.${tag}@example.com>`, at(40)]);
  await store(mailboxId, ["From: Otto <otto@example.com>", `Subject: Out of office ${tag}`, `Message-ID: <ooo.${tag}@example.com>`, "Auto-Submitted: auto-replied", at(30)]);
  await store(mailboxId, [
    "From: MAILER-DAEMON@mx.example.net",
    `Subject: Undelivered Mail Returned to Sender ${tag}`,
    `Message-ID: <dsn.${tag}@mx.example.net>`,
    at(20),
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    "",
    "--B",
    "Content-Type: text/plain",
    "",
    "Your message could not be delivered.",
    "--B",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.net",
    "",
    `Final-Recipient: rfc822; gone.${tag}@example.net`,
    "Action: failed",
    "Status: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
    "--B--",
  ]);
  return { member, mailboxId };
}

async function listRows(page: Page) {
  return page.locator("tbody tr");
}

test("the mail list flags automatic mail and bounces, groups conversations on request, and the message page shows the thread and the bounce report", async ({ page }) => {
  const tag = crypto.randomUUID().slice(0, 6);
  const { member, mailboxId } = await mailboxWithMail(tag);
  await signIn(page, member);
  await page.goto(`/mail/${mailboxId}`);
  const rows = await listRows(page);
  await expect(rows).toHaveCount(4);
  await expect(rows.filter({ hasText: `Out of office ${tag}` }).locator('[data-flag="auto_reply"]')).toHaveText("Auto-reply");
  const bounceRow = rows.filter({ hasText: `Undelivered Mail Returned to Sender ${tag}` });
  await expect(bounceRow.locator('[data-flag="bounce"]')).toHaveText("Bounce");
  await expect(bounceRow.locator('[data-flag="bounced-to"]')).toHaveText(`Failed: gone.${tag}@example.net`);
  await expect(rows.filter({ hasText: `Budget ${tag}` }).locator("[data-flag]")).toHaveCount(0);

  await page.getByTestId("mail-view").getByRole("link", { name: "Conversations" }).click();
  await expect(page).toHaveURL(/view=threads/);
  await expect(rows).toHaveCount(3);
  const thread = rows.filter({ hasText: `Re: Budget ${tag}` });
  await expect(thread.getByTestId("thread-count")).toHaveText("2");
  await expect(page.getByTestId("mail-view").getByRole("link", { name: "Conversations" })).toHaveAttribute("aria-current", "page");

  // A reply written in Mailroom (sent, its copy in the Sent folder) belongs to the same conversation.
  const [budget] = await db()`select thread_id from emails where message_id = ${`<budget.${tag}@example.com>`}`;
  await db()`insert into outbox (mailbox_id, message_id, to_list, subject, status, sent_at, thread_id, sent_copy, sent_copy_folder, sent_copy_at)
    values (${mailboxId}, ${`<sent.${tag}@example.com>`}, ${db().json([{ name: "", address: "quinn@example.com" }])}, ${`Re: Budget ${tag}`}, 'sent', now(), ${budget.thread_id},
            'appended', 'Sent', now())`;
  await thread.getByRole("link", { name: `Re: Budget ${tag}` }).click();
  await expect(page.getByTestId("conversation").locator('[data-kind="sent"]')).toContainText("Sent from Mailroom to quinn@example.com");
  await expect(page.getByTestId("mail-headers")).toContainText("Joined by In-Reply-To");
  const conversation = page.getByTestId("conversation");
  await expect(conversation.getByRole("link", { name: `Budget ${tag}`, exact: true })).toBeVisible();

  await page.goto(`/sent/${mailboxId}`);
  await expect(page.getByTestId("sent-copy")).toHaveText("Copied to the Sent folder “Sent”");

  await page.goto(`/mail/${mailboxId}`);
  await rows.filter({ hasText: `Undelivered Mail Returned to Sender ${tag}` }).getByRole("link").click();
  const report = page.getByTestId("bounce-report");
  await expect(report).toContainText("could not be delivered to the recipients below");
  await expect(report.getByRole("row").nth(1)).toContainText(`gone.${tag}@example.net`);
  await expect(report.getByRole("row").nth(1)).toContainText("Failed");
  await expect(report.getByRole("row").nth(1)).toContainText("5.1.1");
  await expect(page.getByTestId("automatic-mail")).toContainText("Content-Type: multipart/report; report-type=delivery-status");
});

test("writing to an address that bounced: the field says so, and nothing is queued until 'Send anyway' is ticked", async ({ page }) => {
  const tag = crypto.randomUUID().slice(0, 6);
  const { member, mailboxId } = await mailboxWithMail(tag);
  await signIn(page, member);
  await page.goto(`/compose/${mailboxId}`);
  await page.getByRole("textbox", { name: "Cc", exact: true }).fill(`Gone.${tag}@example.net`);
  await page.getByRole("textbox", { name: "To", exact: true }).fill("ok@example.org");
  await page.getByLabel("Subject").fill(`Hello ${tag}`);
  await page.getByLabel("Message").fill("Hi");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator('[data-field-error="cc"]')).toContainText(`Mail to gone.${tag}@example.net bounced on`);
  await expect(page.locator('[data-field-error="cc"]')).toContainText("5.1.1");
  await expect(page.locator('[data-field-error="to"]')).toHaveCount(0);
  expect((await db()`select count(*)::int as n from outbox where mailbox_id = ${mailboxId}`)[0].n).toBe(0);
  await page.getByLabel("Send anyway").check();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page).toHaveURL(new RegExp(`/sent/${mailboxId}\\?queued=1`));
  expect((await db()`select count(*)::int as n from outbox where mailbox_id = ${mailboxId}`)[0].n).toBe(1);
});

test.describe("in Japanese", () => {
  test.use({ locale: "ja-JP", timezoneId: "Asia/Tokyo" });

  test("flags, the conversations view, the message page and the bounce warning read in Japanese", async ({ page }) => {
    const tag = crypto.randomUUID().slice(0, 6);
    const { member, mailboxId } = await mailboxWithMail(tag);
    await signIn(page, member);
    await page.goto(`/mail/${mailboxId}`);
    const rows = await listRows(page);
    await expect(rows.filter({ hasText: `Out of office ${tag}` }).locator('[data-flag="auto_reply"]')).toHaveText(ja["mail.auto.auto_reply"]);
    await expect(rows.filter({ hasText: `Undelivered Mail Returned to Sender ${tag}` }).locator('[data-flag="bounce"]')).toHaveText(ja["mail.auto.bounce"]);
    await page.getByTestId("mail-view").getByRole("link", { name: ja["mail.view.threads"] }).click();
    await expect(rows).toHaveCount(3);
    await rows.filter({ hasText: `Re: Budget ${tag}` }).getByRole("link", { name: `Re: Budget ${tag}` }).click();
    await expect(page.getByRole("heading", { name: ja["mail.conversation"] })).toBeVisible();
    await expect(page.getByTestId("mail-headers")).toContainText(ja["mail.threadMethod.in_reply_to"]);

    await page.goto(`/compose/${mailboxId}`);
    await page.getByRole("textbox", { name: ja["outbox.compose.to"], exact: true }).fill(`gone.${tag}@example.net`);
    await page.getByLabel(ja["outbox.compose.subject"]).fill("x");
    await page.getByRole("button", { name: ja["outbox.compose.send"], exact: true }).click();
    await expect(page.locator('[data-field-error="to"]')).toContainText(`gone.${tag}@example.net 宛のメールは`);
    await expect(page.getByLabel(ja["outbox.compose.sendAnyway"])).toBeVisible();

    // A sent email whose copy could not be saved says why, in Japanese.
    await db()`insert into outbox (mailbox_id, message_id, to_list, subject, status, sent_at, sent_copy, sent_copy_error_key, sent_copy_error_params)
      values (${mailboxId}, ${`<nocopy.${tag}@example.com>`}, ${db().json([{ name: "", address: "x@example.org" }])}, 'x', 'sent', now(), 'failed',
              'outbox.sentCopy.noFolder', ${db().json({ names: "Sent, Sent Items" })})`;
    await page.goto(`/sent/${mailboxId}`);
    await expect(page.getByTestId("sent-copy")).toContainText(ja["outbox.sentCopy.failed"].replace("{reason}", ja["outbox.sentCopy.noFolder"].replace("{names}", "Sent, Sent Items")));
  });
});
