// Push (issue 15) in the browser: the profile form's "Push new mail (IMAP IDLE)" box is
// ticked for a new profile and saved either way; the mailbox page says "Push: connected
// since …" while a worker holds the session, or why the mailbox is polled — in English and
// Japanese. The states are written as a worker writes them (a real worker runs beside the
// app; these mailboxes' leases and retry times keep it away).
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { en as profilesEn } from "../../lib/i18n/messages/profiles";
import { en as syncEn, ja as syncJa } from "../../lib/i18n/messages/sync";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";

const labelled = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*ⓘ?$`);
const before = (text: string) => text.slice(0, text.indexOf("{"));

test("a new profile pushes by default; unticking the box turns push off", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/profiles/new");
  await page.getByLabel(labelled(profilesEn["profiles.field.serverType"])).selectOption("pop3smtp");
  const name = `Push server ${crypto.randomUUID().slice(0, 6)}`;
  await page.getByLabel(labelled(profilesEn["profiles.field.name"])).fill(name);
  await page.getByLabel(labelled(profilesEn["profiles.field.incomingHost"])).fill("imap.example.com");
  await page.getByLabel(labelled(profilesEn["profiles.field.outgoingHost"])).fill("smtp.example.com");
  const push = page.getByLabel(labelled(profilesEn["profiles.field.pushEnabled"]));
  await expect(push).toBeChecked();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  const id = page.url().split("/").pop()!;
  expect((await db()`select push_enabled from profiles where id = ${id}`)[0].push_enabled).toBe(true);

  await page.goto(`/profiles/${id}/edit`);
  await page.getByLabel(labelled(profilesEn["profiles.field.pushEnabled"])).uncheck();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/profiles/${id}$`));
  expect((await db()`select push_enabled from profiles where id = ${id}`)[0].push_enabled).toBe(false);
});

/** A member whose mailbox syncs an IMAP profile, in push state `state`. */
async function memberWithMailbox(state: { held: boolean; pushState: string; pushEnabled?: boolean }) {
  const owner = await makeUser("member");
  const [p] = await db()`insert into profiles (name, server_type, incoming_protocol, incoming_host, outgoing_host, incoming_port, outgoing_port, incoming_tls, credential_mode, push_enabled)
    values (${`push ${crypto.randomUUID().slice(0, 8)}`}, 'pop3smtp', 'imap', '192.0.2.1', '192.0.2.1', 993, 465, true, 'mailbox', ${state.pushEnabled ?? true}) returning id`;
  await db()`update mailboxes set profile_id = ${p.id}, incoming_delivery = 'server_side_sync', incoming_enabled = true, incoming_status = 'success',
      approved_at = now(), synced_from = '2000-01-01', next_sync_at = now() + interval '1 hour', push_retry_at = now() + interval '1 hour',
      lease_owner = ${state.held ? "e2e-holder" : null}, lease_expires_at = ${state.held ? new Date(Date.now() + 3600_000) : null},
      push_state = ${state.pushState}, push_connected_at = ${state.held ? new Date("2026-03-04T05:06:00Z") : null}
    where user_id = ${owner.id}`;
  const [box] = await db()`select id from mailboxes where user_id = ${owner.id}`;
  return { owner, mailboxId: box.id as string };
}

async function pushLine(page: Page, mailboxId: string) {
  await page.goto(`/mailboxes/${mailboxId}`);
  return page.getByTestId("push-status");
}

test("the mailbox page shows 'Push: connected since …' or why it polls, in English", async ({ page }) => {
  const held = await memberWithMailbox({ held: true, pushState: "idle" });
  await signIn(page, held.owner);
  let line = await pushLine(page, held.mailboxId);
  await expect(line).toHaveAttribute("data-push", "connected");
  await expect(line).toContainText(before(syncEn["sync.push.connected"]));
  await expect(line).toContainText("2026");

  await db()`update mailboxes set lease_owner = null, lease_expires_at = null, push_connected_at = null, push_state = 'no_slot' where id = ${held.mailboxId}`;
  line = await pushLine(page, held.mailboxId);
  await expect(line).toHaveText(syncEn["sync.push.polls.no_slot"]);

  await db()`update profiles set push_enabled = false where id = (select profile_id from mailboxes where id = ${held.mailboxId})`;
  line = await pushLine(page, held.mailboxId);
  await expect(line).toHaveText(syncEn["sync.push.polls.off"]);
});

test.describe("in Japanese", () => {
  test.use({ locale: "ja-JP", timezoneId: "Asia/Tokyo" });

  test("the mailbox page shows the push status in Japanese", async ({ page }) => {
    const held = await memberWithMailbox({ held: true, pushState: "noop" });
    await signIn(page, held.owner);
    let line = await pushLine(page, held.mailboxId);
    await expect(line).toHaveAttribute("data-push", "connected");
    await expect(line).toContainText(before(syncJa["sync.push.connectedNoop"]));
    await expect(line).toContainText(syncJa["sync.push.connectedNoop"].slice(syncJa["sync.push.connectedNoop"].indexOf("}") + 1));

    await db()`update mailboxes set lease_owner = null, lease_expires_at = null, push_connected_at = null, push_state = 'failed' where id = ${held.mailboxId}`;
    line = await pushLine(page, held.mailboxId);
    await expect(line).toHaveText(syncJa["sync.push.polls.failed"]);
  });
});
