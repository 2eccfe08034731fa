// Browser tests for mailboxes (issue 4): an admin applies the default email settings
// to three mailboxes and sees them tested against a real Dovecot and SMTP server,
// approves one and tests it, and each owner sees their own alerts, not another's.
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { sealSecret } from "../../lib/crypto/seal-secret";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { startSmtpServer, type TestSmtp } from "../harness/smtp";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";
import { runPki } from "./support/run-pki";

test.describe.configure({ mode: "serial" });


const tag = crypto.randomUUID().slice(0, 6);
let dovecot: Dovecot;
let smtp: TestSmtp;
let ownerA: Awaited<ReturnType<typeof makeUser>>;
let ownerB: Awaited<ReturnType<typeof makeUser>>;
let profileId: string;
let previousDefault: string | null = null;
let previousSettings: Record<string, unknown> | undefined;
const box = (k: "a" | "b" | "c") => ({ name: `E2E box ${k.toUpperCase()} ${tag}`, email: `box-${k}-${tag}@example.com`, login: `box${k}${tag}`, password: `Pw-${k}-${tag}` });

test.beforeAll(async () => {
  const pki = runPki();
  dovecot = await startDovecot({ pki });
  const users: Record<string, string> = {};
  for (const k of ["a", "b", "c"] as const) {
    await dovecot.addUser(box(k).login, box(k).password);
    users[box(k).login] = box(k).password;
  }
  smtp = await startSmtpServer({ pki, users });
  ownerA = await makeUser("member", `Owner A ${tag}`);
  ownerB = await makeUser("member", `Owner B ${tag}`);

  // The organisation's defaults for this test: our profile on the test servers, server-side sync both ways.
  const [prev] = await db()`select id from profiles where is_default`;
  previousDefault = (prev?.id as string | undefined) ?? null;
  await db()`update profiles set is_default = false where is_default`;
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, outgoing_tls, credential_mode, is_default)
    values (${`E2E default ${tag}`}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', ${dovecot.ports.imaps}, ${smtp.ports.starttls}, true, false, 'mailbox', true) returning id`;
  profileId = p.id as string;
  [previousSettings] = await db()`select * from org_settings where id = 1`;
  await db()`insert into org_settings (id, incoming_delivery, outgoing_delivery, act_delivery, process_only_approved) values (1, 'server_side_sync', 'server_side_sync', 'none', true)
    on conflict (id) do update set incoming_delivery = 'server_side_sync', outgoing_delivery = 'server_side_sync', act_delivery = 'none', process_only_approved = true`;

  // Three queues without a profile. A and B are approved; B's stored password is wrong; C waits for approval.
  const [admin] = await db()`select id from users where email = ${ADMIN.email}`;
  for (const [k, owner, password, approved] of [["a", ownerA, box("a").password, true], ["b", ownerB, "wrong-password", true], ["c", ownerA, box("c").password, false]] as const) {
    const b = box(k);
    await db()`insert into mailboxes (kind, name, email_address, owner_id, user_name, password_sealed, approved_at, approved_by_id)
      values ('queue', ${b.name}, ${b.email}, ${owner.id}, ${b.login}, ${sealSecret(password, null)}, ${approved ? new Date() : null}, ${approved ? admin.id : null})`;
  }
});

test.afterAll(async () => {
  await db()`update profiles set is_default = false where id = ${profileId}`;
  if (previousDefault) await db()`update profiles set is_default = true where id = ${previousDefault}`;
  if (previousSettings) {
    const s = previousSettings;
    await db()`update org_settings set incoming_delivery = ${s.incoming_delivery as string}, outgoing_delivery = ${s.outgoing_delivery as string}, act_delivery = ${s.act_delivery as string}, process_only_approved = ${s.process_only_approved as boolean} where id = 1`;
  }
  await smtp?.stop();
  await dovecot?.destroy();
});

const row = (page: Page, k: "a" | "b" | "c") => page.locator(`tr[data-mailbox-row="${box(k).email}"]`);

test("an admin applies the default email settings to three mailboxes and sees them tested", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto(`/mailboxes?q=${tag}`);
  for (const k of ["a", "b", "c"] as const) {
    await expect(row(page, k)).toContainText("Not run");
    await page.getByRole("checkbox", { name: `Select ${box(k).name}` }).check();
  }
  await page.getByRole("button", { name: "Apply default email settings" }).click();

  // The preview says what will change for each of them.
  await expect(page.getByRole("heading", { name: "Apply default email settings" })).toBeVisible();
  await expect(page.getByText(`default profile “E2E default ${tag}”`)).toBeVisible();
  for (const k of ["a", "b", "c"] as const) {
    const preview = page.locator(`tr[data-preview-row="${box(k).email}"]`);
    await expect(preview).toContainText(`E2E default ${tag}`);
    await expect(preview).toContainText("Server-side synchronization");
  }
  await expect(page.getByLabel("Test and enable the mailboxes after applying")).toBeChecked();
  await page.getByRole("button", { name: "OK — apply" }).click();

  await expect(page.locator("[data-form-status=ok]")).toContainText("Default settings applied to 3 mailbox(es).");
  const result = (k: "a" | "b" | "c") => page.locator(`[data-test-result][data-mailbox="${box(k).email}"]`);
  await expect(result("a")).toHaveAttribute("data-test-result", "success");
  await expect(result("a")).toContainText("Tested and enabled");
  await expect(result("b")).toHaveAttribute("data-test-result", "failure");
  await expect(result("b").locator('[data-direction="incoming"]')).toContainText("Authentication failed — check the mailbox's user name and password");
  await expect(result("b").locator('[data-direction="incoming"]')).toContainText("Field to check: User name");
  await expect(result("c")).toHaveAttribute("data-test-result", "waiting_approval");
  await expect(result("c")).toContainText("Waiting for email approval");

  // The list shows the new statuses.
  await page.goto(`/mailboxes?q=${tag}`);
  await expect(row(page, "a").locator("[data-col=status]")).toHaveText("Success / Success / Not supported");
  await expect(row(page, "a").locator("[data-col=enabled]")).toHaveText("incoming, outgoing");
  await expect(row(page, "b").locator("[data-col=status]")).toHaveText("Failure / Failure / Not supported");
  await expect(row(page, "b").locator("[data-col=enabled]")).toHaveText("No");
  await expect(row(page, "c").locator("[data-col=status]")).toHaveText("Not run / Not run / Not run");
  await page.getByRole("link", { name: "Failing" }).click();
  await expect(row(page, "b")).toBeVisible();
  await expect(row(page, "a")).toHaveCount(0);
});

test("the admin approves the waiting mailbox, then tests and enables it", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto(`/mailboxes?q=${tag}&filter=unapproved`);
  await page.getByRole("link", { name: box("c").name }).click();
  await expect(page.getByTestId("waiting-for-approval")).toBeVisible();
  await page.getByRole("button", { name: "Approve email" }).click();
  await expect(page.locator("[data-form-status=ok]")).toContainText("Email approved for 1 mailbox(es).");
  await page.reload();
  await expect(page.getByTestId("approval")).toContainText(`Approved by ${ADMIN.name}`);
  await expect(page.getByTestId("waiting-for-approval")).toHaveCount(0);

  await page.getByRole("button", { name: "Test & enable" }).click();
  await expect(page.locator(`[data-test-result="success"][data-mailbox="${box("c").email}"]`)).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("incoming-status")).toHaveText("Success");
  await expect(page.getByTestId("outgoing-status")).toHaveText("Success");
  await expect(page.getByTestId("act-status")).toHaveText("Not supported");
  await expect(page.getByTestId("enabled")).toHaveText("incoming, outgoing");
});

test("each owner sees their own mailbox's alert and not another's", async ({ page }) => {
  await signIn(page, ownerB);
  // The wrong password failed both directions: one error alert each.
  await expect(page.getByTestId("badge-alerts")).toHaveText("2");
  await page.goto("/alerts");
  const mine = page.locator("[data-alert]");
  await expect(mine).toHaveCount(2);
  await expect(mine.filter({ hasText: `Test & enable failed: incoming email of ${box("b").name}` })).toContainText("Authentication failed — check the mailbox's user name and password");
  await expect(mine.filter({ hasText: `Test & enable failed: outgoing email of ${box("b").name}` })).toHaveAttribute("data-severity", "error");
  await expect(page.getByText(box("a").name)).toHaveCount(0);
  // Owner B cannot open owner A's mailbox.
  await page.goto(`/mailboxes?q=${tag}`);
  await expect(row(page, "b")).toBeVisible();
  await expect(row(page, "a")).toHaveCount(0);

  await page.context().clearCookies();
  await signIn(page, ownerA);
  await page.goto("/alerts");
  await expect(page.locator("[data-alert]")).toHaveCount(2); // boxes A and C were tested and enabled
  await expect(page.getByText(`Mailbox ${box("a").name} tested and enabled`)).toBeVisible();
  await expect(page.getByText(box("b").name)).toHaveCount(0);
});

test("a larger selection is tested as a background job by the worker, with live progress", async ({ page }) => {
  const jobTag = crypto.randomUUID().slice(0, 6);
  // Six approved queues without a profile: each test fails at once, naming the missing profile.
  for (let i = 0; i < 6; i++) {
    await db()`insert into mailboxes (kind, name, email_address, owner_id, incoming_delivery, outgoing_delivery, approved_at)
      values ('queue', ${`Job box ${i} ${jobTag}`}, ${`job-${i}-${jobTag}@example.com`}, ${ownerA.id}, 'server_side_sync', 'server_side_sync', now())`;
  }
  await signIn(page, ADMIN);
  await page.goto(`/mailboxes?q=${jobTag}`);
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  for (let i = 0; i < 6; i++) await expect(page.getByRole("checkbox", { name: `Select Job box ${i} ${jobTag}` })).toBeChecked();
  await page.getByRole("button", { name: "Test & enable" }).click();
  await expect(page.locator("[data-form-status=ok]")).toContainText("6 mailboxes are being tested in the background.");
  const progress = page.getByTestId("job-progress");
  await expect(progress).toHaveAttribute("data-job-status", "done", { timeout: 30_000 });
  await expect(page.getByTestId("job-progress-count")).toHaveText("6 of 6 tested");
  await expect(progress).toContainText("6 failed");
  await expect(progress.locator('[data-job-item="failure"]')).toHaveCount(6);
  await expect(progress.locator('[data-job-item="failure"]').first()).toContainText("has no server profile");
});
