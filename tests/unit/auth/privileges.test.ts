import { expect, test } from "vitest";
import { assertCan, can } from "../../../lib/auth/actor";
import { passwordWeakness } from "../../../lib/auth/passwords";
import type { MessageKey } from "../../../lib/i18n/catalog";
import { msg } from "../../../lib/i18n/message";
import { english } from "../../harness/english";

const actor = (role: "admin" | "mailbox_manager" | "member") => ({ id: "u", email: "u@example.com", name: "U", role });

test("roles hold the privileges SPEC 'Who uses it' gives them", () => {
  expect(can(actor("admin"), "mailbox:approve")).toBe(true);
  expect(can(actor("mailbox_manager"), "mailbox:approve")).toBe(false);
  expect(can(actor("mailbox_manager"), "mailbox:write")).toBe(true);
  expect(can(actor("mailbox_manager"), "profile:read")).toBe(true);
  expect(can(actor("mailbox_manager"), "profile:write")).toBe(false);
  expect(can(actor("mailbox_manager"), "settings:write")).toBe(false);
  expect(can(actor("member"), "mailbox:write")).toBe(false);
  expect(can(actor("member"), "user:admin")).toBe(false);
  expect(can(null, "alert:read-own")).toBe(false);
});

test("assertCan throws forbidden for a missing privilege and unauthenticated for no actor", () => {
  expect(() => assertCan(actor("member"), "user:admin")).toThrow(expect.objectContaining({ code: "forbidden" }));
  expect(() => assertCan(null, "user:admin")).toThrow(expect.objectContaining({ code: "unauthenticated" }));
  expect(() => assertCan(actor("admin"), "user:admin")).not.toThrow();
});

const msgOf = (key: MessageKey | null) => (key ? msg(key) : null);

test("password strength rules", () => {
  expect(english(msgOf(passwordWeakness("short")))).toMatch(/10 characters/);
  expect(english(msgOf(passwordWeakness("alllowercaseletters")))).toMatch(/three/);
  expect(english(msgOf(passwordWeakness("Alice-Secret-1", "alice@example.com")))).toMatch(/email name/);
  expect(passwordWeakness("Correct-Horse-42")).toBeNull();
});
