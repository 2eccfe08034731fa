import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import * as commonMessages from "../../lib/i18n/messages/common";
import * as profileMessages from "../../lib/i18n/messages/profiles";
import * as settingsMessages from "../../lib/i18n/messages/settings";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";
import type { MessageKey } from "../../lib/i18n/catalog";
import { msg, renderMessage, type MessageParams } from "../../lib/i18n/message";
import { translator } from "../../lib/i18n/translate";

// The settings are one row shared by every browser test: each test puts back the defaults.
async function restoreDefaults() {
  await db()`update org_settings set incoming_delivery = 'server_side_sync', outgoing_delivery = 'server_side_sync', act_delivery = 'none', process_only_approved = true`;
  await db()`update profiles set is_default = false where is_default`;
}

/** A field's label exactly, followed by the ⓘ of its help tooltip when it has one. */
const labelled = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*ⓘ?$`);

for (const lang of ["en", "ja"] as const) {
  const m = { ...settingsMessages[lang], ...commonMessages[lang] };
  /** What the server says, in this language (rendered from the catalogue as the app does). */
  const say = (key: MessageKey, params?: MessageParams) => renderMessage(translator(lang), msg(key, params));
  const field = (page: Page, name: keyof typeof settingsMessages.en) => page.getByLabel(labelled(m[name]));

  test.describe(`organisation email settings (${lang})`, () => {
    test.use({ locale: lang === "ja" ? "ja-JP" : "en-GB" });
    test.afterEach(restoreDefaults);

    test("server-side sync for appointments, contacts and tasks is refused with the reason; saved values persist", async ({ page }) => {
      const name = `Settings ${lang} ${crypto.randomUUID().slice(0, 6)}`;
      const [profile] = await db()`insert into profiles (name, server_type, incoming_host, outgoing_host, incoming_port, outgoing_port)
        values (${name}, 'gmail', 'imap.gmail.com', 'smtp.gmail.com', 993, 465) returning id`;
      await signIn(page, ADMIN);
      await page.goto("/settings");
      await expect(page.getByRole("heading", { name: m["settings.title"] })).toBeVisible();
      if (lang === "ja") await expect(page.getByRole("heading", { name: "電子メール設定" })).toBeVisible();
      // The defaults: server-side sync in and out, ACT none, approval required.
      await expect(field(page, "settings.field.incomingDelivery")).toHaveValue("server_side_sync");
      await expect(field(page, "settings.field.actDelivery")).toHaveValue("none");
      await expect(field(page, "settings.field.processOnlyApproved")).toBeChecked();

      await field(page, "settings.field.defaultProfileId").selectOption(profile.id);
      await field(page, "settings.field.actDelivery").selectOption("server_side_sync");
      const hint = page.getByTestId("act-refusal-hint");
      await expect(hint).toBeVisible();
      const refusal = say("validation.act.profile", { profile: name, serverTypeKey: "profiles.serverType.gmail" });
      await expect(hint).toHaveText(refusal);
      await page.getByRole("button", { name: m["common.save"], exact: true }).click();
      const error = page.locator("#actDelivery").locator("xpath=..").locator('[data-field-error="actDelivery"]');
      await expect(error).toHaveText(refusal);
      if (lang === "en") await expect(error).toContainText(`"${name}" is a Gmail profile`);
      // Nothing was saved. (goto, not reload: a reload would restore the form's unsaved choices.)
      await page.goto("/settings");
      await expect(field(page, "settings.field.actDelivery")).toHaveValue("none");
      await expect(field(page, "settings.field.defaultProfileId")).toHaveValue("");

      await field(page, "settings.field.defaultProfileId").selectOption(profile.id);
      await field(page, "settings.field.incomingDelivery").selectOption("email_router");
      await field(page, "settings.field.outgoingDelivery").selectOption("none");
      await field(page, "settings.field.actDelivery").selectOption("email_router");
      await field(page, "settings.field.processOnlyApproved").uncheck();
      await page.getByRole("button", { name: m["common.save"], exact: true }).click();
      await expect(page.locator('[data-form-status="ok"]')).toHaveText(m["settings.saved"]);

      await page.goto("/settings");
      await expect(field(page, "settings.field.defaultProfileId")).toHaveValue(profile.id);
      await expect(field(page, "settings.field.incomingDelivery")).toHaveValue("email_router");
      await expect(field(page, "settings.field.outgoingDelivery")).toHaveValue("none");
      await expect(field(page, "settings.field.actDelivery")).toHaveValue("email_router");
      await expect(field(page, "settings.field.processOnlyApproved")).not.toBeChecked();
      // One truth: the default profile is the profile marked default on its own page.
      await page.goto(`/profiles/${profile.id}`);
      await expect(page.getByTestId("detail-isDefault")).toHaveText(profileMessages[lang]["profiles.yes"]);
    });

    test("only admins open the settings page", async ({ page }) => {
      for (const role of ["mailbox_manager", "member"] as const) {
        const who = await makeUser(role);
        await page.context().clearCookies();
        await signIn(page, who);
        expect((await page.goto("/settings"))?.status(), role).toBe(403);
        await expect(page.getByTestId("forbidden")).toBeVisible();
      }
    });
  });
}
