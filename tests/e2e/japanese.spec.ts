// Issue 12: with the browser in Japanese, everything the server says is Japanese.
// An admin walks a wrong password and a server that is down (test & enable against
// a real Dovecot and a closed port), a refused setting, a send the SMTP server
// refuses (the e2e worker sends it) and the alert list, and finds no English
// sentence on those pages: only names, addresses and the servers' own replies.
import crypto from "node:crypto";
import net from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { sealSecret } from "../../lib/crypto/seal-secret";
import { catalog } from "../../lib/i18n/catalog";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { startSmtpServer, type TestSmtp } from "../harness/smtp";
import { db, makeUser, signIn } from "./support/accounts";
import { runPki } from "./support/run-pki";

test.describe.configure({ mode: "serial" });
// A reader in Tokyo: dates must be in Tokyo time whatever the server's zone.
test.use({ locale: "ja-JP", timezoneId: "Asia/Tokyo" });

const ja = catalog.ja;
const tag = crypto.randomUUID().slice(0, 6);
const LOGIN = { user: `jauser${tag}`, password: `Pw-ja-${tag}` };
const REJECTED = "5.7.1 Message rejected as spam";
let dovecot: Dovecot;
let smtp: TestSmtp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let profileId: string;
let downProfileId: string;
const ids: Record<"wrong" | "down" | "send", string> = { wrong: "", down: "", send: "" };
const names = { wrong: `JA wrong ${tag}`, down: `JA down ${tag}`, send: `JA send ${tag}`, profile: `JA profile ${tag}`, down_profile: `JA down profile ${tag}` };

/** A loopback port nothing listens on: the "server outage". */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * Runs of three or more English words left on the page once the allowed texts
 * (names, addresses, the servers' own replies) are taken out. Closed <details>
 * (the technical detail for admins) are not rendered, so not in innerText.
 */
async function englishOn(page: Page, allowed: string[] = []): Promise<string[]> {
  let text = await page.locator("body").innerText();
  // Names people gave (profiles, mailboxes, users — other specs' too: a picker lists every profile) are data, not the UI's words.
  const given = (await db()`select name from profiles union select name from mailboxes union select name from users`).map((r) => r.name as string);
  for (const a of [...given, ...Object.values(names), admin.name, admin.email, REJECTED, ...allowed].sort((x, y) => y.length - x.length)) text = text.split(a).join(" ");
  // The server's words are quoted verbatim, as the issue asks: 「…」.
  text = text.replace(/「[^」]*」/g, " ");
  return [...text.matchAll(/[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}/g)].map((m) => m[0]);
}

test.beforeAll(async () => {
  const pki = runPki();
  dovecot = await startDovecot({ pki });
  await dovecot.addUser(LOGIN.user, LOGIN.password);
  smtp = await startSmtpServer({ pki, users: { [LOGIN.user]: LOGIN.password } });
  admin = await makeUser("admin", `Aki ${tag}`);
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, outgoing_tls, credential_mode, owner_id)
    values (${names.profile}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', ${dovecot.ports.imaps}, ${smtp.ports.starttls}, true, false, 'mailbox', ${admin.id}) returning id`;
  profileId = p.id as string;
  const down = await closedPort();
  const [d] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, outgoing_tls, credential_mode, owner_id)
    values (${names.down_profile}, 'pop3smtp', 'imap', '127.0.0.1', '127.0.0.1', ${down}, ${down}, true, false, 'mailbox', ${admin.id}) returning id`;
  downProfileId = d.id as string;
  const queue = async (name: string, profile: string, password: string, outgoing: boolean) => {
    const [m] = await db()`insert into mailboxes (kind, name, email_address, owner_id, profile_id, user_name, password_sealed, approved_at,
        incoming_delivery, outgoing_delivery, outgoing_enabled, outgoing_status)
      values ('queue', ${name}, ${`${name.replace(/\s+/g, "-").toLowerCase()}@example.com`}, ${admin.id}, ${profile}, ${LOGIN.user}, ${sealSecret(password, null)}, now(),
        'server_side_sync', 'server_side_sync', ${outgoing}, ${outgoing ? "success" : "not_run"}) returning id`;
    return m.id as string;
  };
  ids.wrong = await queue(names.wrong, profileId, "not-the-password", false);
  ids.down = await queue(names.down, downProfileId, LOGIN.password, false);
  ids.send = await queue(names.send, profileId, LOGIN.password, true);
});

test.afterAll(async () => {
  await db()`update org_settings set act_delivery = 'none' where id = 1`;
  await smtp?.stop();
  await dovecot?.destroy();
});

test("a wrong password and a server outage: test & enable says what and which field, in Japanese", async ({ page }) => {
  await signIn(page, admin);
  for (const [k, field] of [["wrong", ja["mailboxes.field.userName"]], ["down", ja["profiles.field.incomingPort"]]] as const) {
    await page.goto(`/mailboxes/${ids[k]}`);
    await page.getByRole("button", { name: ja["mailboxes.action.testEnable"] }).click();
    const result = page.locator("[data-test-result]");
    await expect(result).toHaveAttribute("data-test-result", "failure", { timeout: 60_000 });
    const incoming = result.locator('[data-direction="incoming"]');
    await expect(incoming).toContainText(k === "wrong" ? "認証に失敗しました" : "接続できませんでした");
    // The field at fault by its label in Japanese, not its form name.
    await expect(incoming).toContainText(ja["mailboxes.test.field"].replace("{field}", field));
    expect(await englishOn(page), `English on the ${k} test result`).toEqual([]);
    // The mailbox page's last error agrees, in Japanese.
    await page.goto(`/mailboxes/${ids[k]}`);
    await expect(page.getByTestId("last-error")).not.toHaveText(ja["mailboxes.none"]);
    expect(await englishOn(page), `English on the ${k} mailbox page`).toEqual([]);
  }
});

test("a refused setting: appointments, contacts and tasks by server-side sync, refused in Japanese beside its field", async ({ page }) => {
  await signIn(page, admin);
  await page.goto("/settings");
  await page.locator("#defaultProfileId").selectOption(profileId);
  await page.locator("#actDelivery").selectOption("server_side_sync");
  await page.getByRole("button", { name: ja["common.save"], exact: true }).click();
  const error = page.locator('[data-field-error="actDelivery"]');
  await expect(error).toContainText("予定、取引先担当者、タスク");
  await expect(page.locator('[data-field-link="actDelivery"]')).toHaveText(ja["settings.field.actDelivery"]);
  expect(await englishOn(page), "English on the refused settings page").toEqual([]);
  await page.goto("/settings");
});

test("a send the SMTP server refuses: the Sent view and the alert say why in Japanese, with the server's words verbatim", async ({ page }) => {
  await signIn(page, admin);
  smtp.failNext(1, 550, REJECTED);
  await page.goto(`/compose/${ids.send}`);
  await page.locator("#to").fill("jane@example.org");
  await page.locator("#subject").fill(`JA ${tag}`);
  await page.locator("#body").fill("こんにちは");
  await page.getByRole("button", { name: ja["outbox.compose.send"], exact: true }).click();
  await expect.poll(async () => (await db()`select status from outbox where mailbox_id = ${ids.send}`)[0]?.status, { timeout: 60_000 }).toBe("failed");
  await page.goto(`/sent/${ids.send}`);
  await expect(page.locator("body")).toContainText(REJECTED);
  expect(await englishOn(page), "English on the Sent view").toEqual([]);

  await page.goto("/alerts");
  await expect(page.locator("[data-alert]").first()).toBeVisible();
  const titles = await page.locator("[data-alert] strong").allInnerTexts();
  expect(titles.some((t) => t.includes("テストと有効化に失敗しました")), titles.join(" | ")).toBe(true);
  expect(titles.some((t) => t.includes("送信できませんでした")), titles.join(" | ")).toBe(true);
  expect(await englishOn(page), "English on the alert list").toEqual([]);
});

test("dates are shown in the reader's time zone (the browser's), not the server's", async ({ page }) => {
  await db()`update mailboxes set last_tested_at = '2026-01-15T00:30:00Z' where id = ${ids.down}`;
  await signIn(page, admin);
  await page.goto(`/mailboxes/${ids.down}`);
  // 00:30 UTC is 9:30 in Tokyo; the page learns the zone from the browser (a cookie) and shows it.
  await expect(page.locator("body")).toContainText(/2026\/01\/15 9:30/);
});

test("/favicon.ico exists", async ({ request }) => {
  const res = await request.get("/favicon.ico");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/image/);
});
