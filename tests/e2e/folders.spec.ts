// Browser tests for IMAP folders (issue 18), in English and Japanese: an admin lists the
// server's folders on the mailbox page (a real Dovecot; the credentials stay on the
// server), chooses two besides INBOX — one Japanese-named — and, after the worker's
// sync, sees on the message page a message found in two folders listed with both; a
// chosen folder deleted on the server is reported on the mailbox page.
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { ImapFlow } from "imapflow";
import { sealSecret } from "../../lib/crypto/seal-secret";
import { catalog } from "../../lib/i18n/catalog";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";
import { runPki } from "./support/run-pki";

test.describe.configure({ mode: "serial" });

const en = catalog.en;
const ja = catalog.ja;
const tag = crypto.randomUUID().slice(0, 6);
const LOGIN = { user: `folders${tag}`, password: `Pw-f-${tag}` };
const JA_FOLDER = "請求書";
let dovecot: Dovecot;
let mailboxId: string;
let caPem: string;

const message = (id: string, subject: string) =>
  [`From: Nao <nao@example.org>`, `To: ${LOGIN.user}@example.com`, `Subject: ${subject}`, `Date: ${new Date().toUTCString()}`, `Message-ID: <${id}.${tag}@example.org>`, "", `Body of ${subject}.`, ""].join("\r\n");

async function imap<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: dovecot.host, port: dovecot.ports.imaps, secure: true, auth: { user: LOGIN.user, pass: LOGIN.password }, logger: false, tls: { ca: caPem } });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

test.beforeAll(async () => {
  const pki = runPki();
  caPem = pki.caPem;
  dovecot = await startDovecot({ pki });
  await dovecot.addUser(LOGIN.user, LOGIN.password);
  // "Shared" is in INBOX and Archive (a Gmail message with a label); "Invoice" only in the Japanese folder.
  await dovecot.deliver(LOGIN.user, message("shared", `Shared ${tag}`));
  await imap(async (c) => {
    await c.mailboxCreate("Archive");
    await c.mailboxCreate(JA_FOLDER);
    await c.append("Archive", message("shared", `Shared ${tag}`));
    await c.append(JA_FOLDER, message("invoice", `Invoice ${tag}`));
  });
  const owner = await makeUser("member", `Folders ${tag}`);
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode, push_enabled, process_email_from, min_polling_interval_minutes)
    values (${`E2E folders ${tag}`}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', ${dovecot.ports.imaps}, 465, true, 'mailbox', false, '2000-01-01', 1) returning id`;
  // Enabled and approved, but not due before the folders are chosen.
  await db()`update mailboxes set profile_id = ${p.id}, incoming_delivery = 'server_side_sync', incoming_enabled = true, incoming_status = 'success',
      approved_at = now(), user_name = ${LOGIN.user}, password_sealed = ${sealSecret(LOGIN.password, null)}, next_sync_at = now() + interval '1 hour'
    where user_id = ${owner.id}`;
  const [box] = await db()`select id from mailboxes where user_id = ${owner.id}`;
  mailboxId = box.id as string;
});

test.afterAll(async () => {
  await dovecot?.destroy();
});

async function syncAndWait(count: number) {
  await db()`update mailboxes set next_sync_at = now() where id = ${mailboxId}`;
  await expect
    .poll(async () => {
      const [r] = await db()`select count(*)::int as n from emails where mailbox_id = ${mailboxId}`;
      return r.n as number;
    }, { timeout: 30_000 })
    .toBe(count);
}

async function folderLine(page: Page, id: string, label: string) {
  const [e] = await db()`select id from emails where mailbox_id = ${mailboxId} and message_id = ${`<${id}.${tag}@example.org>`}`;
  await page.goto(`/mail/${mailboxId}/${e.id}`);
  const headers = page.getByTestId("mail-headers");
  return headers.locator("div.contents", { has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) }).locator("dd");
}

test("an admin lists the server's folders, chooses two besides INBOX, and sees a message's folders after the sync, in English", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto(`/mailboxes/${mailboxId}`);
  const panel = page.getByTestId("folders-panel");
  await expect(panel).toContainText(en["mailboxes.folders.none"]);
  await panel.getByRole("button", { name: en["mailboxes.folders.list"] }).click();
  await expect(panel.getByRole("checkbox", { name: "Archive" })).toBeVisible();
  await expect(panel.getByRole("checkbox", { name: JA_FOLDER })).toBeVisible();
  await expect(panel.getByRole("checkbox", { name: /INBOX/ })).toHaveCount(0);
  await panel.getByRole("checkbox", { name: "Archive" }).check();
  await panel.getByRole("checkbox", { name: JA_FOLDER }).check();
  await panel.getByRole("button", { name: en["common.save"], exact: true }).click();
  await expect(panel.locator('[data-form-status="ok"]')).toHaveText(en["mailboxes.folders.saved"].replace("{count}", "2"));

  await syncAndWait(2);
  await page.goto(`/mail/${mailboxId}`);
  await expect(page.locator("tbody tr", { hasText: `Shared ${tag}` }).getByTestId("mail-folders")).toHaveText("INBOX · Archive");
  await expect(await folderLine(page, "shared", en["mail.folders"])).toHaveText("INBOX, Archive");
  await expect(await folderLine(page, "invoice", en["mail.folders"])).toHaveText(JA_FOLDER);
});

test.describe("in Japanese", () => {
  test.use({ locale: "ja-JP", timezoneId: "Asia/Tokyo" });

  test("a chosen folder deleted on the server is reported on the mailbox page, and a message's folders are listed, in Japanese", async ({ page }) => {
    await imap((c) => c.mailboxDelete("Archive"));
    await imap((c) => c.append(JA_FOLDER, message("second", `Second ${tag}`)));
    await syncAndWait(3);
    await signIn(page, ADMIN);
    await page.goto(`/mailboxes/${mailboxId}`);
    const panel = page.getByTestId("folders-panel");
    await expect(panel.getByRole("heading", { name: ja["mailboxes.folders.title"] })).toBeVisible();
    await expect(panel.getByRole("checkbox", { name: "Archive" })).toBeChecked();
    await expect(panel.getByTestId("folder-missing")).toHaveText(ja["mailboxes.folders.missing"]);
    // Listing again: the server no longer has it, the Japanese folder is there and chosen.
    await panel.getByRole("button", { name: ja["mailboxes.folders.list"] }).click();
    await expect(panel.locator("label", { hasText: "Archive" })).toContainText(ja["mailboxes.folders.notOnServer"]);
    await expect(panel.getByRole("checkbox", { name: JA_FOLDER })).toBeChecked();
    // Untick it: the mail stored from it stays.
    await panel.getByRole("checkbox", { name: "Archive" }).uncheck();
    await panel.getByRole("button", { name: ja["common.save"], exact: true }).click();
    await expect(panel.locator('[data-form-status="ok"]')).toHaveText(ja["mailboxes.folders.saved"].replace("{count}", "1"));
    await expect(await folderLine(page, "second", ja["mail.folders"])).toHaveText(JA_FOLDER);
    await expect(await folderLine(page, "shared", ja["mail.folders"])).toHaveText("INBOX, Archive");
  });
});
