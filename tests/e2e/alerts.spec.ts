// "My alerts" and the navigation badge (SPEC §5): members see only alerts sent to them,
// mark them read one by one or all at once; admins may list everyone's. In both languages.
import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import * as alertMessages from "../../lib/i18n/messages/alerts";
import { ADMIN, db, makeUser, signIn } from "./support/accounts";

async function insertAlert(recipientId: string, mailboxId: string | null, title: string, severity = "error") {
  await db()`insert into alerts (severity, recipient_id, mailbox_id, dedup_key, title, message, detail, count)
    values (${severity}, ${recipientId}, ${mailboxId}, ${crypto.randomUUID()}, ${title}, 'Authentication failed — check the mailbox''s user name and password.', 'IMAP 127.0.0.1:993 AUTHENTICATIONFAILED', 3)`;
}

async function ownMailbox(userId: string): Promise<string> {
  const [m] = await db()`select id from mailboxes where user_id = ${userId}`;
  return m.id as string;
}

for (const lang of ["en", "ja"] as const) {
  const m = alertMessages[lang];

  test(`[${lang}] a member sees their own alerts and not another's, and marks them read`, async ({ page, context }) => {
    await context.addCookies([{ name: "locale", value: lang, domain: "127.0.0.1", path: "/" }]);
    const tag = crypto.randomUUID().slice(0, 6);
    const me = await makeUser("member");
    const someoneElse = await makeUser("member");
    await insertAlert(me.id, await ownMailbox(me.id), `Mine one ${tag}`);
    await insertAlert(me.id, null, `Mine two ${tag}`, "warning");
    await insertAlert(someoneElse.id, await ownMailbox(someoneElse.id), `Not mine ${tag}`);

    await signIn(page, me);
    await expect(page.getByTestId("badge-alerts")).toHaveText("2");
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { name: m["alerts.mine"] })).toBeVisible();
    await expect(page.getByTestId("unread-count")).toHaveText(m["alerts.unreadCount"].replace("{count}", "2"));
    const first = page.locator("[data-alert]").filter({ hasText: `Mine one ${tag}` });
    await expect(first).toContainText(m["alerts.count"].replace("{count}", "3"));
    await expect(page.locator("[data-alert]").filter({ hasText: `Mine two ${tag}` })).toHaveAttribute("data-severity", "warning");
    await expect(page.getByText(`Not mine ${tag}`)).toHaveCount(0);
    // Members cannot ask for everyone's alerts.
    await page.goto("/alerts?scope=all");
    await expect(page.getByText(`Not mine ${tag}`)).toHaveCount(0);

    // The alert is on the wall of the member's mailbox too.
    await page.goto(`/mailboxes/${await ownMailbox(me.id)}`);
    await expect(page.locator("[data-alert]").filter({ hasText: `Mine one ${tag}` })).toBeVisible();

    await page.goto("/alerts");
    await first.getByRole("button", { name: m["alerts.markRead"] }).click();
    await expect(first).toHaveAttribute("data-read", "read");
    await expect(page.getByTestId("badge-alerts")).toHaveText("1");
    await page.getByRole("button", { name: m["alerts.markAllRead"] }).click();
    await expect(page.getByTestId("unread-count")).toHaveText(m["alerts.unreadCount"].replace("{count}", "0"));
    await expect(page.getByTestId("badge-alerts")).toHaveCount(0);
    // The other member's alert is still unread.
    const [{ n }] = await db()`select count(*)::int as n from alerts where recipient_id = ${someoneElse.id} and read_at is null`;
    expect(n).toBe(1);
  });
}

test("an admin lists everyone's alerts with their recipients", async ({ page }) => {
  const tag = crypto.randomUUID().slice(0, 6);
  const member = await makeUser("member", `Recipient ${tag}`);
  await insertAlert(member.id, null, `For the member ${tag}`);
  await signIn(page, ADMIN);
  await page.goto("/alerts");
  await expect(page.getByText(`For the member ${tag}`)).toHaveCount(0);
  await page.getByRole("link", { name: "All alerts" }).click();
  const alert = page.locator("[data-alert]").filter({ hasText: `For the member ${tag}` });
  await expect(alert).toContainText(`To Recipient ${tag}`);
});
