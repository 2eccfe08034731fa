import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { db, makeUser, signIn } from "./support/accounts";

// Owners and a mailbox's profile are searchable pickers: typing asks the server for matches
// (issue 17), instead of a <select> of every user or profile.
const tag = crypto.randomUUID().slice(0, 6);

test("an admin picks a queue's owner and later its profile by typing part of a name", async ({ page }) => {
  const admin = await makeUser("admin", `Picker Admin ${tag}`);
  const owner = await makeUser("member", `Pia Picker ${tag}`);
  await makeUser("member", `Paul Other ${tag}`);
  const [profile] = await db()`insert into profiles (name, owner_id, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode, process_email_from)
    values (${`Picker profile ${tag}`}, ${admin.id}, 'pop3smtp', 'imap', 'imap.example.com', 'smtp.example.com', 993, 465, true, 'mailbox', '2000-01-01') returning id`;
  await signIn(page, admin);

  await page.goto("/mailboxes/new");
  await page.getByLabel(/^Name/).fill(`Picked queue ${tag}`);
  await page.getByLabel(/Email address/).fill(`picked.${tag}@example.com`);
  const ownerBox = page.getByRole("combobox", { name: /^Owner/ });
  await ownerBox.fill(`pia picker ${tag}`);
  // Only the match is offered, with its address.
  await expect(page.getByRole("option")).toHaveText(["—", `Pia Picker ${tag} <${owner.email}>`]);
  await page.getByRole("option", { name: `Pia Picker ${tag}` }).click();
  await expect(ownerBox).toHaveValue(`Pia Picker ${tag} <${owner.email}>`);
  await page.getByRole("button", { name: "Create" }).click();
  await expect.poll(async () => (await db()`select owner_id from mailboxes where email_address = ${`picked.${tag}@example.com`}`)[0]?.owner_id).toBe(owner.id);
  const [{ id: mailboxId }] = await db()`select id from mailboxes where email_address = ${`picked.${tag}@example.com`}`;

  await page.goto(`/mailboxes/${mailboxId}`);
  await expect(page.getByRole("combobox", { name: /^Owner/ })).toHaveValue(`Pia Picker ${tag} <${owner.email}>`);
  const profileBox = page.getByRole("combobox", { name: /^Server profile/ });
  await profileBox.fill("nothing-like-this");
  await expect(page.getByText("No matches")).toBeVisible();
  await profileBox.fill(`PICKER PROFILE ${tag}`);
  await expect(page.getByRole("option", { name: `Picker profile ${tag}` })).toHaveAttribute("aria-selected", "true");
  // The keyboard: up to "no profile", down to the match, Enter chooses it (and does not submit).
  await profileBox.press("ArrowUp");
  await expect(page.getByRole("option", { name: "(no profile)" })).toHaveAttribute("aria-selected", "true");
  await profileBox.press("ArrowDown");
  await profileBox.press("Enter");
  await expect(profileBox).toHaveValue(`Picker profile ${tag}`);
  await page.getByRole("form", { name: "Edit mailbox" }).getByRole("button", { name: "Save" }).click();
  await expect.poll(async () => (await db()`select profile_id from mailboxes where id = ${mailboxId}`)[0].profile_id).toBe(profile.id);
});

test("a profile's owner picker, in Japanese", async ({ browser }) => {
  const admin = await makeUser("admin", `管理者 ${tag}`);
  const next = await makeUser("member", `山田 花子 ${tag}`);
  const [profile] = await db()`insert into profiles (name, owner_id, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode, process_email_from)
    values (${`所有者テスト ${tag}`}, ${admin.id}, 'pop3smtp', 'imap', 'imap.example.com', 'smtp.example.com', 993, 465, true, 'mailbox', '2000-01-01') returning id`;
  const context = await browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await signIn(page, admin);
  await page.goto(`/profiles/${profile.id}/edit`);
  const ownerBox = page.getByRole("combobox", { name: /^所有者/ });
  await expect(ownerBox).toHaveValue(`管理者 ${tag} <${admin.email}>`);
  await ownerBox.fill("");
  await expect(ownerBox).toHaveAttribute("placeholder", "名前またはメールアドレスを入力して検索");
  await ownerBox.fill(`花子 ${tag}`);
  await page.getByRole("option", { name: `山田 花子 ${tag}` }).click();
  await page.getByRole("button", { name: "保存" }).click();
  await expect.poll(async () => (await db()`select owner_id from profiles where id = ${profile.id}`)[0].owner_id).toBe(next.id);
  await context.close();
});

test("the mailbox list filters by a profile found by typing, or by 'no profile'", async ({ page }) => {
  const admin = await makeUser("admin", `Filter Admin ${tag}`);
  const [profile] = await db()`insert into profiles (name, owner_id, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode, process_email_from)
    values (${`Filter profile ${tag}`}, ${admin.id}, 'pop3smtp', 'imap', 'imap.example.com', 'smtp.example.com', 993, 465, true, 'mailbox', '2000-01-01') returning id`;
  for (const [name, profileId] of [[`With profile flt${tag}`, profile.id], [`Without profile flt${tag}`, null]] as const) {
    await db()`insert into mailboxes (name, email_address, kind, owner_id, profile_id) values (${name}, ${`${name.replace(/ /g, ".").toLowerCase()}@example.com`}, 'queue', ${admin.id}, ${profileId})`;
  }
  await signIn(page, admin);
  await page.goto(`/mailboxes?q=flt${tag}`);
  await expect(page.locator("[data-mailbox-row]")).toHaveCount(2);
  const profileBox = page.getByRole("combobox", { name: "Profile" });
  await expect(profileBox).toHaveValue("Any profile");
  await profileBox.fill(`filter PROFILE ${tag}`);
  await page.getByRole("option", { name: `Filter profile ${tag}` }).click();
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`profileId=${profile.id}`));
  await expect(page.locator("[data-mailbox-row]")).toHaveText([new RegExp(`With profile flt${tag}`)]);
  // The chosen profile is shown by name after the reload; "No profile" is always offered.
  await expect(profileBox).toHaveValue(`Filter profile ${tag}`);
  await profileBox.fill("");
  await page.getByRole("option", { name: "No profile" }).click();
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page.locator("[data-mailbox-row]")).toHaveText([new RegExp(`Without profile flt${tag}`)]);
  await expect(profileBox).toHaveValue("No profile");
});
