// "My alerts", the mailbox alert wall, unread counts and mark read, with each role (SPEC §5).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { alerts } from "../../../db/schema/alerts";
import { countUnreadAlerts } from "../../../lib/alerts/count-unread-alerts";
import { listAlerts } from "../../../lib/alerts/list-alerts";
import { listMailboxAlerts } from "../../../lib/alerts/list-mailbox-alerts";
import { markAlertsRead } from "../../../lib/alerts/mark-alerts-read";
import { raiseAlert } from "../../../lib/alerts/raise-alert";
import { createTestDb, type TestDb } from "../../harness/db";
import { makeActors, makeMailbox, type Actors } from "../mailboxes/fixtures";
import { msg, renderStored } from "../../../lib/i18n/message";
import { translator } from "../../../lib/i18n/translate";
import { english } from "../../harness/english";

let t: TestDb;
let a: Actors;
let box: string;
let othersBox: string;

beforeAll(async () => {
  t = await createTestDb();
  a = await makeActors(t.db);
  box = await makeMailbox(t.db, { ownerId: a.member.id, name: "Member box" });
  othersBox = await makeMailbox(t.db, { ownerId: a.other.id, name: "Other box" });
  const base = {
    severity: "error" as const,
    title: msg("alerts.text.incomingFailingTitle", { mailbox: "Member box" }),
    message: msg("mailError.authFailed", { credentialsKey: "mailError.credentials.mailbox" }),
    detail: "AUTHENTICATIONFAILED",
  };
  await raiseAlert(t.db, { ...base, recipientIds: [a.member.id, a.admin.id], mailboxId: box, dedupKey: "k-box" });
  await raiseAlert(t.db, { ...base, recipientIds: [a.member.id, a.admin.id], mailboxId: box, dedupKey: "k-box" });
  await raiseAlert(t.db, { ...base, severity: "information", title: msg("alerts.text.testPassedTitle", { mailbox: "Member box" }), recipientIds: [a.member.id], mailboxId: box, dedupKey: "k-ok" });
  await raiseAlert(t.db, { ...base, title: msg("alerts.text.incomingDisabledTitle", { mailbox: "Other box" }), recipientIds: [a.other.id], mailboxId: othersBox, dedupKey: "k-other" });
  await raiseAlert(t.db, { ...base, title: msg("alerts.text.outgoingDisabledTitle", { mailbox: "Other box" }), recipientIds: [a.manager.id], mailboxId: othersBox, dedupKey: "k-mgr" });
});
afterAll(async () => {
  await t?.close();
});

test("a member sees only alerts sent to them, with occurrences counted and the unread count", async () => {
  const mine = await listAlerts(t.db, a.member);
  expect(mine.items.map((x) => english(x.title)).sort()).toEqual(["Incoming email for Member box keeps failing", "Mailbox Member box tested and enabled"]);
  expect(mine.items.find((x) => english(x.title) === "Incoming email for Member box keeps failing")).toMatchObject({ count: 2, mailboxName: "Member box", recipientName: a.member.name, detail: "" });
  expect(mine.unread).toBe(2);
  expect(await countUnreadAlerts(t.db, a.member)).toBe(2);
  expect(await countUnreadAlerts(t.db, null)).toBe(0);
  await expect(listAlerts(t.db, a.member, { scope: "all" })).rejects.toMatchObject({ code: "forbidden" });
  await expect(listAlerts(t.db, a.manager, { scope: "all" })).rejects.toMatchObject({ code: "forbidden" });
  await expect(listAlerts(t.db, null)).rejects.toMatchObject({ code: "unauthenticated" });
});

test("admins see everyone's alerts when they ask; their own otherwise", async () => {
  const all = await listAlerts(t.db, a.admin, { scope: "all" });
  expect(all.items.map((x) => english(x.title))).toEqual(expect.arrayContaining(["Incoming email for Other box was disabled", "Outgoing email for Other box was disabled", "Mailbox Member box tested and enabled"]));
  expect(all.total).toBe(5);
  // The technical detail (raw server and socket text) is for admins only.
  expect(all.items.find((x) => x.recipientId === a.member.id && english(x.title) === "Incoming email for Member box keeps failing")).toMatchObject({ detail: "AUTHENTICATIONFAILED" });
  expect((await listAlerts(t.db, a.admin)).items.map((x) => x.recipientId)).toEqual([a.admin.id]);
});

test("the mailbox wall: the owner sees theirs, admins every copy, another member nothing", async () => {
  expect((await listMailboxAlerts(t.db, a.member, { mailboxId: box })).items).toHaveLength(2);
  // One event alerted to the owner and an admin is one entry on the wall, with both recipients.
  const wall = await listMailboxAlerts(t.db, a.admin, { mailboxId: box });
  expect(wall.items).toHaveLength(2);
  expect(wall.total).toBe(2);
  const both = wall.items.find((x) => x.dedupKey === "k-box")!;
  expect(both.recipientNames?.slice().sort()).toEqual([a.admin.name, a.member.name].sort());
  expect(both.ids).toHaveLength(2);
  await expect(listMailboxAlerts(t.db, a.other, { mailboxId: box })).rejects.toMatchObject({ code: "not_found" });
  // A manager reads every mailbox, but sees on its wall only alerts sent to them.
  expect((await listMailboxAlerts(t.db, a.manager, { mailboxId: othersBox })).items.map((x) => english(x.title))).toEqual(["Outgoing email for Other box was disabled"]);
  await expect(listMailboxAlerts(t.db, null, { mailboxId: box })).rejects.toMatchObject({ code: "unauthenticated" });
});

test("mark read: people mark only their own; mark all read; admins any; a new occurrence after reading is a new unread alert", async () => {
  const others = await t.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.recipientId, a.other.id));
  expect(await markAlertsRead(t.db, a.member, { ids: others.map((x) => x.id) })).toBe(0);
  await expect(markAlertsRead(t.db, a.member, { all: "all" })).rejects.toMatchObject({ code: "forbidden" });
  await expect(markAlertsRead(t.db, null, { all: "mine" })).rejects.toMatchObject({ code: "unauthenticated" });
  await expect(markAlertsRead(t.db, a.other, { mailboxId: box })).rejects.toMatchObject({ code: "not_found" });

  const [one] = (await listAlerts(t.db, a.member)).items;
  expect(await markAlertsRead(t.db, a.member, { ids: [one.id] })).toBe(1);
  expect(await countUnreadAlerts(t.db, a.member)).toBe(1);
  expect(await markAlertsRead(t.db, a.member, { all: "mine" })).toBe(1);
  expect(await countUnreadAlerts(t.db, a.member)).toBe(0);
  expect(await countUnreadAlerts(t.db, a.admin)).toBe(1);

  expect(await markAlertsRead(t.db, a.admin, { ids: others.map((x) => x.id) })).toBe(1);
  expect(await countUnreadAlerts(t.db, a.other)).toBe(0);
  expect(await markAlertsRead(t.db, a.admin, { mailboxId: box })).toBe(1);

  await raiseAlert(t.db, { severity: "error", title: msg("alerts.text.syncRecoveredTitle", { mailbox: "Member box" }), message: msg("alerts.text.syncRecovered", { failures: 3 }), recipientIds: [a.member.id], mailboxId: box, dedupKey: "k-box" });
  expect(await countUnreadAlerts(t.db, a.member)).toBe(1);
  expect((await listAlerts(t.db, a.member, { unreadOnly: true })).items.map((x) => ({ title: english(x.title), count: x.count }))).toEqual([{ title: "Incoming email for Member box is syncing again", count: 1 }]);
});

test("alerts are stored as keys and shown in each reader's language; an alert stored as English text before keys still shows", async () => {
  const [row] = await t.db.select().from(alerts).where(and(eq(alerts.dedupKey, "k-other"), eq(alerts.recipientId, a.other.id)));
  expect(row).toMatchObject({ titleKey: "alerts.text.incomingDisabledTitle", titleParams: { mailbox: "Other box" }, title: "Incoming email for Other box was disabled" });
  const [view] = (await listAlerts(t.db, a.other)).items;
  expect(renderStored(translator("ja"), view.title)).toBe("Other box の受信電子メールが無効になりました");
  expect(renderStored(translator("ja"), view.message)).toBe("認証に失敗しました — メールボックスのユーザー名とパスワードを確認してください。");

  await t.db.insert(alerts).values({ severity: "warning", recipientId: a.other.id, dedupKey: "k-legacy", title: "Old English title", message: "Old English message" });
  const legacy = (await listAlerts(t.db, a.other)).items.find((x) => x.title === "Old English title");
  expect(legacy?.message).toBe("Old English message");
  expect(renderStored(translator("ja"), legacy!.title)).toBe("Old English title");
});
