import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import * as profileMessages from "../../lib/i18n/messages/profiles";
import * as commonMessages from "../../lib/i18n/messages/common";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";
import type { MessageKey } from "../../lib/i18n/catalog";
import { msg, renderMessage, type MessageParams } from "../../lib/i18n/message";
import { translator } from "../../lib/i18n/translate";

// The app is served at 127.0.0.1, a secure channel: credential fields are enabled.

const suffix = () => crypto.randomUUID().slice(0, 6);

/** A profile inserted straight into the database, for tests about something else. */
async function insertProfile(name: string, host = "imap.example.com", port = 993): Promise<string> {
  const [p] = await db()`insert into profiles (name, server_type, incoming_host, outgoing_host, incoming_port, outgoing_port)
    values (${name}, 'pop3smtp', ${host}, ${host === "imap.example.com" ? "smtp.example.com" : host}, ${port}, ${port}) returning id`;
  return p.id as string;
}

/** A field's label exactly, followed by the ⓘ of its help tooltip when it has one. */
const labelled = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*ⓘ?$`);

// Other browser tests share the database: put the default profile back as this file found it.
let defaultBefore: string | null = null;
test.beforeAll(async () => {
  defaultBefore = ((await db()`select id from profiles where is_default`)[0]?.id as string | undefined) ?? null;
});
test.afterAll(async () => {
  await db()`update profiles set is_default = false where is_default`;
  if (defaultBefore) await db()`update profiles set is_default = true where id = ${defaultBefore}`;
});

for (const lang of ["en", "ja"] as const) {
  const m = { ...profileMessages[lang], ...commonMessages[lang] };
  /** What the server says, in this language (rendered from the catalogue as the app does). */
  const say = (key: MessageKey, params?: MessageParams) => renderMessage(translator(lang), msg(key, params));
  const field = (page: Page, name: keyof typeof profileMessages.en) => page.getByLabel(labelled(m[name]));

  /** Opens the new-profile form from the list, fills the general section, leaves the rest to the caller. */
  async function startProfile(page: Page, o: { name: string; serverType?: "gmail" | "pop3smtp"; protocol?: "imap" | "pop3" }) {
    await page.goto("/profiles");
    await page.getByRole("link", { name: m["profiles.new"] }).click();
    await expect(page.getByRole("heading", { name: m["profiles.newTitle"] })).toBeVisible();
    await field(page, "profiles.field.serverType").selectOption(o.serverType ?? "pop3smtp");
    await field(page, "profiles.field.incomingProtocol").selectOption(o.protocol ?? "imap");
    await field(page, "profiles.field.name").fill(o.name);
    if ((o.serverType ?? "pop3smtp") === "pop3smtp") {
      await field(page, "profiles.field.incomingHost").fill(o.protocol === "pop3" ? "pop.example.com" : "imap.example.com");
      await field(page, "profiles.field.outgoingHost").fill("smtp.example.com");
    }
  }

  async function save(page: Page) {
    await page.getByRole("button", { name: m["common.save"], exact: true }).click();
  }

  /** Saves and waits for the profile's own page; returns its id. */
  async function saveAndOpen(page: Page): Promise<string> {
    await save(page);
    await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
    return page.url().split("/").pop()!;
  }

  test.describe(`profiles (${lang})`, () => {
    test.use({ locale: lang === "ja" ? "ja-JP" : "en-GB" });

    test("an admin creates a Gmail profile: its locations, ports and SSL fill themselves", async ({ page }) => {
      await signIn(page, ADMIN);
      const name = `Gmail ${lang} ${suffix()}`;
      await startProfile(page, { name, serverType: "gmail" });
      if (lang === "ja") await expect(page.getByRole("heading", { name: "新しい電子メール サーバー プロファイル" })).toBeVisible();
      await expect(page.getByTestId("gmail-filled")).toHaveText(m["profiles.gmailFilled"]);
      await expect(field(page, "profiles.field.incomingHost")).toHaveValue("imap.gmail.com");
      await expect(field(page, "profiles.field.incomingPort")).toHaveValue("993");
      await expect(field(page, "profiles.field.outgoingHost")).toHaveValue("smtp.gmail.com");
      await expect(field(page, "profiles.field.outgoingPort")).toHaveValue("465");
      await expect(field(page, "profiles.field.incomingTls")).toBeChecked();
      await expect(field(page, "profiles.field.outgoingTls")).toBeChecked();

      // POP3 on Gmail: pop.gmail.com:995.
      await field(page, "profiles.field.incomingProtocol").selectOption("pop3");
      await expect(field(page, "profiles.field.incomingHost")).toHaveValue("pop.gmail.com");
      await expect(field(page, "profiles.field.incomingPort")).toHaveValue("995");
      // Google refuses passwords: Gmail signs in with OAuth 2.0, which needs the OAuth client (tests/e2e/oauth.spec.ts covers the rest).
      await expect(field(page, "profiles.field.incomingAuthMethod")).toHaveValue("xoauth2");
      await page.getByLabel(/^(Client ID|クライアント ID)\s*ⓘ?$/).fill("123-e2e.apps.googleusercontent.com");
      await page.getByLabel(/^(Client secret|クライアント シークレット)\s*ⓘ?$/).fill("GOCSPX-e2e-secret");

      await saveAndOpen(page);
      await expect(page.getByRole("heading", { name })).toBeVisible();
      await expect(page.getByTestId("detail-incomingHost")).toHaveText("pop.gmail.com");
      await expect(page.getByTestId("detail-incomingPort")).toHaveText("995");
      await expect(page.getByTestId("detail-outgoingHost")).toHaveText("smtp.gmail.com");
      await expect(page.getByTestId("detail-outgoingPort")).toHaveText("465");

      await page.goto("/profiles");
      const row = page.locator(`tr[data-profile-row="${name}"]`);
      await expect(row).toContainText("POP3 pop.gmail.com:995");
      await expect(row).toContainText("SMTP smtp.gmail.com:465");
      await expect(row).toContainText(m["profiles.mode.mailbox"]);
      await expect(row).toContainText(ADMIN.name); // the owner defaults to the admin creating it
    });

    test("a POP3/SMTP profile with credentials in the profile shows the password as set, and never sends it back", async ({ page }) => {
      const password = `Sekr1t-${suffix()}-Pa55`;
      const bodies: Promise<string>[] = [];
      page.on("response", (r) => bodies.push(r.text().catch(() => "")));

      await signIn(page, ADMIN);
      const name = `POP3 ${lang} ${suffix()}`;
      await startProfile(page, { name, protocol: "pop3" });
      // Blank ports show what the server will fill in.
      await expect(page.getByTestId("incoming-port-default")).toContainText("995");
      await expect(page.getByTestId("outgoing-port-default")).toContainText("465");
      await field(page, "profiles.field.credentialMode").selectOption("profile");
      await field(page, "profiles.field.userName").fill("relay@example.com");
      await field(page, "profiles.field.password").fill(password);
      await expect(page.getByTestId("password-status")).toContainText(m["profiles.passwordNotSet"]);
      const id = await saveAndOpen(page);

      await expect(page.getByTestId("detail-password")).toHaveText(m["profiles.passwordSet"]);
      await expect(page.getByTestId("detail-incomingProtocol")).toHaveText("POP3");
      await expect(page.getByTestId("detail-incomingPort")).toHaveText("995");
      await expect(page.getByTestId("detail-outgoingPort")).toHaveText("465");
      await expect(page.getByTestId("detail-userName")).toHaveText("relay@example.com");
      expect(await page.content()).not.toContain(password);

      // Editing: the input is empty, the status says "set", and saving blank keeps it.
      await page.getByRole("link", { name: m["common.edit"] }).click();
      await expect(page).toHaveURL(`/profiles/${id}/edit`);
      await expect(page.getByTestId("password-status")).toContainText(m["profiles.passwordSet"]);
      await expect(field(page, "profiles.field.password")).toHaveValue("");
      expect(await page.content()).not.toContain(password);
      await field(page, "profiles.field.description").fill("edited, password left blank");
      await saveAndOpen(page);
      await expect(page.getByTestId("detail-description")).toHaveText("edited, password left blank");
      await expect(page.getByTestId("detail-password")).toHaveText(m["profiles.passwordSet"]);

      // The sealed form in the database is not the password either.
      const [row] = await db()`select password_sealed from profiles where id = ${id}`;
      expect(row.password_sealed).toBeTruthy();
      expect(row.password_sealed).not.toContain(password);

      await page.goto("/profiles");
      await page.goto(`/profiles/${id}/edit`);
      const all = await Promise.all(bodies);
      expect(all.length).toBeGreaterThan(5);
      for (const body of all) expect(body).not.toContain(password);
    });

    test("'append sent mail to the IMAP Sent folder' is a checkbox on the form, saved and shown on the profile", async ({ page }) => {
      await signIn(page, ADMIN);
      await startProfile(page, { name: `Sent copy ${lang} ${suffix()}` });
      await expect(field(page, "profiles.field.appendSentToImap")).not.toBeChecked();
      await field(page, "profiles.field.appendSentToImap").check();
      const id = await saveAndOpen(page);
      await expect(page.getByTestId("detail-appendSentToImap")).toHaveText(m["profiles.yes"]);
      expect((await db()`select append_sent_to_imap from profiles where id = ${id}`)[0].append_sent_to_imap).toBe(true);
    });

    test("the after-fetch action is chosen on the form (keep by default; move asks for its folder; delete warns), saved and shown", async ({ page }) => {
      await signIn(page, ADMIN);
      await startProfile(page, { name: `After fetch ${lang} ${suffix()}` });
      await expect(field(page, "profiles.field.afterFetchAction")).toHaveValue("keep");
      await expect(page.getByTestId("after-fetch-delete-warning")).toHaveCount(0);
      await field(page, "profiles.field.afterFetchAction").selectOption("move");
      await save(page);
      const beside = (name: string) => page.locator(`#${name}`).locator("xpath=..").locator(`[data-field-error="${name}"]`);
      await expect(beside("afterFetchFolder")).toHaveText(say("validation.profile.afterFetchFolder"));
      await field(page, "profiles.field.afterFetchFolder").fill("Archive");
      const id = await saveAndOpen(page);
      await expect(page.getByTestId("detail-afterFetchAction")).toHaveText(`${m["profiles.afterFetch.move"]}: Archive`);
      expect((await db()`select after_fetch_action, after_fetch_folder from profiles where id = ${id}`)[0]).toEqual({ after_fetch_action: "move", after_fetch_folder: "Archive" });

      await page.goto(`/profiles/${id}/edit`);
      await expect(field(page, "profiles.field.afterFetchFolder")).toHaveValue("Archive");
      await field(page, "profiles.field.afterFetchAction").selectOption("delete");
      await expect(page.getByTestId("after-fetch-delete-warning")).toHaveText(m["profiles.warning.afterFetchDelete"]);
      await expect(field(page, "profiles.field.afterFetchFolder")).toHaveCount(0);
      await saveAndOpen(page);
      await expect(page.getByTestId("detail-afterFetchAction")).toHaveText(m["profiles.afterFetch.delete"]);
      expect((await db()`select after_fetch_action, after_fetch_folder from profiles where id = ${id}`)[0]).toEqual({ after_fetch_action: "delete", after_fetch_folder: null });
    });

    test("field errors are shown beside their fields", async ({ page }) => {
      await signIn(page, ADMIN);
      await startProfile(page, { name: `Errors ${lang} ${suffix()}` });
      await field(page, "profiles.field.incomingPort").fill("70000");
      await field(page, "profiles.field.minPollingIntervalMinutes").fill("0");
      await save(page);
      const beside = (name: string) => page.locator(`#${name}`).locator("xpath=..").locator(`[data-field-error="${name}"]`);
      await expect(beside("incomingPort")).toHaveText(say("validation.profile.port"));
      await expect(beside("minPollingIntervalMinutes")).toHaveText(say("validation.profile.pollingInterval"));
      // The summary names each field by its label and its link focuses the field.
      await page.locator('[data-field-link="minPollingIntervalMinutes"]').click();
      await expect(page.locator("#minPollingIntervalMinutes")).toBeFocused();
      await expect(page.locator('[data-field-link="incomingPort"]')).toHaveText(m["profiles.field.incomingPort"]);
      await expect(page.locator("#incomingPort")).toHaveAttribute("aria-invalid", "true");
      await expect(page.locator('[data-form-status="error"]')).toBeVisible();
      await expect(page).toHaveURL(/\/profiles\/new$/);
      // What was typed is still there to correct.
      await expect(field(page, "profiles.field.incomingPort")).toHaveValue("70000");
      await field(page, "profiles.field.incomingPort").fill("993");
      await field(page, "profiles.field.minPollingIntervalMinutes").fill("15");
      await saveAndOpen(page);
      await expect(page.getByTestId("detail-minPollingIntervalMinutes")).toHaveText("15");
    });

    test("Windows integrated authentication and anonymous are shown and refused with the reason", async ({ page }) => {
      await signIn(page, ADMIN);
      await startProfile(page, { name: `Windows ${lang} ${suffix()}`, protocol: "pop3" });
      await field(page, "profiles.field.credentialMode").selectOption("windows");
      await expect(page.getByTestId("credential-mode-hint")).toHaveText(m["profiles.hint.windows"]);
      await save(page);
      await expect(page.locator('[data-field-error="credentialMode"]')).toHaveText(say("validation.profile.windows", { over: "POP3" }));

      await field(page, "profiles.field.credentialMode").selectOption("anonymous");
      await expect(page.getByTestId("credential-mode-hint")).toHaveText(m["profiles.hint.anonymous"]);
      await save(page);
      await expect(page.locator('[data-field-error="credentialMode"]')).toHaveText(say("validation.profile.anonymous"));
      await expect(page).toHaveURL(/\/profiles\/new$/);
    });

    test("at most one profile is the default for new mailboxes, as the list shows", async ({ page }) => {
      await signIn(page, ADMIN);
      const first = `Default A ${lang} ${suffix()}`;
      const second = `Default B ${lang} ${suffix()}`;
      for (const name of [first, second]) {
        await startProfile(page, { name });
        await field(page, "profiles.field.isDefault").check();
        await saveAndOpen(page);
      }
      await page.goto("/profiles?sort=created&direction=desc");
      await expect(page.locator(`tr[data-profile-row="${second}"] [data-testid="default-cell"]`)).toHaveText(m["profiles.defaultMarker"]);
      await expect(page.locator(`tr[data-profile-row="${first}"] [data-testid="default-cell"]`)).toHaveText("");
      await expect(page.locator('[data-testid="default-cell"]', { hasText: m["profiles.defaultMarker"] })).toHaveCount(1);
    });

    test("delete asks for confirmation and is refused while a mailbox uses the profile", async ({ page }) => {
      await signIn(page, ADMIN);
      const name = `Doomed ${lang} ${suffix()}`;
      await startProfile(page, { name });
      const id = await saveAndOpen(page);
      const [mb] = await db()`insert into mailboxes (kind, name, email_address, profile_id) values ('queue', ${"Support " + name}, 'support@example.com', ${id}) returning id`;
      await page.reload();
      await expect(page.getByTestId("detail-mailboxCount")).toHaveText("1");

      await page.getByRole("button", { name: m["profiles.delete"] }).click();
      await expect(page.getByText(m["profiles.deleteConfirm"].replace("{name}", name))).toBeVisible();
      await page.getByRole("button", { name: m["profiles.deleteYes"] }).click();
      await expect(page.locator('[data-form-status="error"]')).toContainText(say("error.profile.inUseOne"));
      expect((await db()`select id from profiles where id = ${id}`).length).toBe(1);

      // Cancel leaves it; once the mailbox is gone, delete works and returns to the list.
      await db()`delete from mailboxes where id = ${mb.id}`;
      await page.reload();
      await page.getByRole("button", { name: m["profiles.delete"] }).click();
      await page.getByRole("button", { name: m["common.cancel"] }).click();
      await expect(page.getByRole("button", { name: m["profiles.deleteYes"] })).toHaveCount(0);
      await page.getByRole("button", { name: m["profiles.delete"] }).click();
      await page.getByRole("button", { name: m["profiles.deleteYes"] }).click();
      await expect(page).toHaveURL(/\/profiles$/);
      await expect(page.locator(`tr[data-profile-row="${name}"]`)).toHaveCount(0);
      expect((await db()`select id from profiles where id = ${id}`).length).toBe(0);
    });

    test("a mailbox manager can view profiles but has no controls, and the edit and new pages are refused", async ({ page }) => {
      const name = `Managed ${lang} ${suffix()}`;
      const id = await insertProfile(name);
      const manager = await makeUser("mailbox_manager");
      await signIn(page, manager);
      expect((await page.goto("/profiles"))?.status()).toBe(200);
      await expect(page.getByRole("heading", { name: m["profiles.title"] })).toBeVisible();
      await expect(page.getByRole("link", { name: m["profiles.new"] })).toHaveCount(0);
      await page.locator(`tr[data-profile-row="${name}"]`).getByRole("link", { name }).click();
      await expect(page.getByRole("heading", { name })).toBeVisible();
      await expect(page.getByText(m["profiles.readOnly"])).toBeVisible();
      await expect(page.getByTestId("detail-incomingHost")).toHaveText("imap.example.com");
      await expect(page.getByRole("link", { name: m["common.edit"] })).toHaveCount(0);
      await expect(page.getByRole("button", { name: m["profiles.delete"] })).toHaveCount(0);
      for (const url of [`/profiles/${id}/edit`, "/profiles/new"]) {
        expect((await page.goto(url))?.status(), url).toBe(403);
        await expect(page.getByTestId("forbidden")).toBeVisible();
      }
    });

    test("a member gets 403 on the profile pages", async ({ page }) => {
      const id = await insertProfile(`Hidden ${lang} ${suffix()}`);
      const member = await makeUser("member");
      await signIn(page, member);
      for (const url of ["/profiles", `/profiles/${id}`, "/profiles/new", `/profiles/${id}/edit`]) {
        expect((await page.goto(url))?.status(), url).toBe(403);
        await expect(page.getByTestId("forbidden")).toBeVisible();
      }
    });
  });
}

test("the list is paged and sorted by the column links", async ({ page }) => {
  const tag = suffix();
  // 26 profiles: more than one page of 25.
  for (let i = 0; i < 26; i++) await insertProfile(`Paged ${tag} ${String(i).padStart(2, "0")}`);
  await signIn(page, ADMIN);
  await page.goto("/profiles");
  await expect(page.locator("th[aria-sort=ascending]")).toContainText("Name");
  await page.getByRole("link", { name: "Name", exact: true }).click();
  await expect(page).toHaveURL(/sort=name&direction=desc/);
  await expect(page.locator("th[aria-sort=descending]")).toContainText("Name");
  const paged = (await page.locator("tbody tr td:first-child").allTextContents()).filter((n) => n.startsWith(`Paged ${tag}`));
  expect(paged.length).toBeGreaterThan(1);
  expect(paged).toEqual([...paged].sort().reverse());
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Page 2 of \d+/)).toBeVisible();
  await expect(page).toHaveURL(/sort=name&direction=desc/);
});

test("test & enable all mailboxes of a profile runs as a background job and shows progress and each outcome", async ({ page }) => {
  const name = `Test all ${suffix()}`;
  // A closed port on loopback: each test fails at once, without leaving this machine.
  const id = await insertProfile(name, "127.0.0.1", 1);
  for (const n of [1, 2]) {
    await db()`insert into mailboxes (kind, name, email_address, profile_id, user_name) values ('queue', ${`${name} queue ${n}`}, ${`q${n}.${suffix()}@example.com`}, ${id}, 'login')`;
  }
  await signIn(page, ADMIN);
  await page.goto(`/profiles/${id}`);
  const section = page.getByTestId("test-all");
  await expect(section.getByRole("heading", { name: "Test & enable all mailboxes of this profile" })).toBeVisible();
  await section.getByRole("button", { name: "Test & enable all mailboxes" }).click();
  await expect(section.locator('[data-form-status="ok"]')).toContainText("2 mailboxes will be tested in the background");
  const progress = section.getByTestId("job-progress");
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("data-job-status", "done", { timeout: 45_000 });
  await expect(progress.getByTestId("job-progress-count")).toContainText("2 of 2");
  await expect(progress.locator("tbody tr")).toHaveCount(2);
  // After a reload the page still shows the last run.
  await page.reload();
  await expect(page.getByTestId("job-progress")).toHaveAttribute("data-job-status", "done");
});
