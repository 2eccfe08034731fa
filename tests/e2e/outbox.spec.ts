// Browser tests for outgoing email (issue 6): a member writes an email with an
// attachment from their own mailbox and watches it go from queued to sent (the
// e2e worker sends it to a test SMTP server signed by the run's CA); a member
// cannot send from someone else's mailbox, however the request is made.
import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { simpleParser } from "mailparser";
import { sealSecret } from "../../lib/crypto/seal-secret";
import { startSmtpServer, type TestSmtp } from "../harness/smtp";
import { db, makeUser, signIn } from "./support/accounts";
import { runPki } from "./support/run-pki";

test.describe.configure({ mode: "serial" });


const tag = crypto.randomUUID().slice(0, 6);
const LOGIN = { user: `sender${tag}`, password: `Pw-${tag}` };
let smtp: TestSmtp;
let profileId: string;

async function mailboxOf(userId: string): Promise<string> {
  const [m] = await db()`select id from mailboxes where user_id = ${userId}`;
  return m.id as string;
}

/** The user's own mailbox, sending through the test server (STARTTLS, its own credentials), enabled and approved. */
async function enableSending(userId: string): Promise<string> {
  const id = await mailboxOf(userId);
  await db()`update mailboxes set profile_id = ${profileId}, outgoing_delivery = 'server_side_sync', outgoing_enabled = true, outgoing_status = 'success',
    approved_at = now(), user_name = ${LOGIN.user}, password_sealed = ${sealSecret(LOGIN.password, null)} where id = ${id}`;
  return id;
}

test.beforeAll(async () => {
  smtp = await startSmtpServer({ pki: runPki(), users: { [LOGIN.user]: LOGIN.password } });
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, outgoing_tls, credential_mode)
    values (${`E2E outbox ${tag}`}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', 993, ${smtp.ports.starttls}, true, false, 'mailbox') returning id`;
  profileId = p.id as string;
});
test.afterAll(async () => {
  await smtp?.stop();
});

test("a member writes an email with an attachment, sees a bad address beside its field, sends it and watches it move to sent", async ({ page }) => {
  const member = await makeUser("member", `Sender ${tag}`);
  const mailboxId = await enableSending(member.id);
  await signIn(page, member);

  await page.goto(`/sent/${mailboxId}`);
  await page.getByRole("link", { name: "New email" }).click();
  await expect(page).toHaveURL(new RegExp(`/compose/${mailboxId}$`));
  await expect(page.getByText(/Up to 20 files, 10 MB in total/)).toBeVisible();

  await page.getByRole("textbox", { name: "To", exact: true }).fill("jane@example.org, not-an-address");
  await page.getByLabel("Subject").fill(`Lunch ${tag}`);
  await page.getByLabel("Message").fill("See you at noon.\nJane");
  const pdf = crypto.randomBytes(20_000);
  await page.getByLabel("Attachments").setInputFiles({ name: "menu.pdf", mimeType: "application/pdf", buffer: pdf });
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator('[data-field-error="to"]')).toContainText("“not-an-address” is not a valid email address");
  await expect(page.getByLabel("Subject")).toHaveValue(`Lunch ${tag}`);
  expect((await db()`select count(*)::int as n from outbox where mailbox_id = ${mailboxId}`)[0].n).toBe(0);

  await page.getByRole("textbox", { name: "To", exact: true }).fill(`"Jane Doe" <jane@example.org>`);
  await page.getByRole("textbox", { name: "Cc", exact: true }).fill("bob@example.org");
  // The form was reset by the failed submission (React), so the file is chosen again.
  await page.getByLabel("Attachments").setInputFiles({ name: "menu.pdf", mimeType: "application/pdf", buffer: pdf });
  await page.getByRole("button", { name: "Send" }).click();

  await expect(page).toHaveURL(new RegExp(`/sent/${mailboxId}\\?queued=1`));
  const row = page.getByRole("row").filter({ hasText: `Lunch ${tag}` });
  await expect(row).toBeVisible();
  // The worker sends it; the page refreshes itself until it says so.
  await expect(row.locator("[data-status]")).toHaveAttribute("data-status", "sent", { timeout: 30_000 });
  await expect(row).toContainText("Sent");
  await expect(row).toContainText("Server reply: 250");

  const [sent] = await db()`select message_id, status, attempts from outbox where mailbox_id = ${mailboxId}`;
  expect(sent).toMatchObject({ status: "sent", attempts: 1 });
  const got = smtp.received.filter((r) => r.raw.includes(Buffer.from(sent.message_id as string)));
  expect(got).toHaveLength(1);
  expect(got[0].to).toEqual(["jane@example.org", "bob@example.org"]);
  const parsed = await simpleParser(got[0].raw);
  expect(parsed.subject).toBe(`Lunch ${tag}`);
  expect(parsed.text?.trim()).toBe("See you at noon.\nJane");
  expect(parsed.from?.value).toEqual([{ name: member.name, address: member.email }]);
  expect(parsed.attachments.map((a) => a.filename)).toEqual(["menu.pdf"]);
  expect(parsed.attachments[0].content.equals(pdf)).toBe(true);
});

test("a member cannot send from someone else's mailbox: the page is refused, and so is a forged request", async ({ page }) => {
  const member = await makeUser("member", `Member ${tag}`);
  const someoneElse = await makeUser("member", `Someone ${tag}`);
  await enableSending(member.id);
  const theirs = await enableSending(someoneElse.id);
  await signIn(page, member);

  const response = await page.goto(`/compose/${theirs}`);
  expect(response?.status()).toBe(403);

  // The member's own form, with the mailbox swapped before sending: the server checks and refuses.
  const own = await mailboxOf(member.id);
  await page.goto(`/compose/${own}`);
  await page.locator('input[type="hidden"][name="mailboxId"]').evaluate((el, id) => ((el as HTMLInputElement).value = id), theirs);
  await page.getByRole("textbox", { name: "To", exact: true }).fill("jane@example.org");
  await page.getByLabel("Subject").fill(`Forged ${tag}`);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator('[data-form-status="error"]')).toContainText("You can send only from your own mailbox and the queues you own.");
  expect((await db()`select count(*)::int as n from outbox where subject = ${`Forged ${tag}`}`)[0].n).toBe(0);

  const sentPage = await page.goto(`/sent/${theirs}`);
  expect(sentPage?.status()).toBe(404);
});

test("a mailbox that cannot send says why instead of showing the form", async ({ page }) => {
  const member = await makeUser("member", `Unset ${tag}`);
  await signIn(page, member);
  await page.goto(`/compose/${await mailboxOf(member.id)}`);
  await expect(page.getByTestId("cannot-send")).toContainText("Outgoing email is turned off for this mailbox");
  await expect(page.getByRole("button", { name: "Send" })).toHaveCount(0);
});
