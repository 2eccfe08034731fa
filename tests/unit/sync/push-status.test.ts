import { expect, test } from "vitest";
import { pushStatusOf } from "../../../lib/sync/push-status";

const now = new Date("2026-06-01T12:00:00Z");
const since = new Date("2026-06-01T11:00:00Z");
const base = {
  incomingDelivery: "server_side_sync" as const,
  incomingEnabled: true,
  syncedFrom: new Date("2000-01-01T00:00:00Z"),
  leaseOwner: null as string | null,
  leaseExpiresAt: null as Date | null,
  pushConnectedAt: null as Date | null,
  pushState: null as string | null,
};
const imap = { pushEnabled: true, protocol: "imap" };
const live = { leaseOwner: "w1", leaseExpiresAt: new Date(now.getTime() + 30_000) };

test("connected while a live lease holds an idling (or NOOP-ing) session", () => {
  expect(pushStatusOf({ ...base, ...live, pushState: "idle", pushConnectedAt: since }, imap, now)).toEqual({ kind: "connected", since, noop: false });
  expect(pushStatusOf({ ...base, ...live, pushState: "noop", pushConnectedAt: since }, imap, now)).toEqual({ kind: "connected", since, noop: true });
});

test("a connected state left by a dead worker (lease expired) is not believed", () => {
  const expired = { leaseOwner: "dead", leaseExpiresAt: new Date(now.getTime() - 1) };
  expect(pushStatusOf({ ...base, ...expired, pushState: "idle", pushConnectedAt: since }, imap, now)).toEqual({ kind: "polls", reason: "waiting" });
});

test("why it polls", () => {
  expect(pushStatusOf(base, { pushEnabled: true, protocol: "pop3" }, now)).toEqual({ kind: "polls", reason: "pop3" });
  expect(pushStatusOf(base, { pushEnabled: false, protocol: "imap" }, now)).toEqual({ kind: "polls", reason: "off" });
  expect(pushStatusOf({ ...base, syncedFrom: null }, imap, now)).toEqual({ kind: "polls", reason: "first_sync" });
  expect(pushStatusOf({ ...base, ...live, pushState: "connecting" }, imap, now)).toEqual({ kind: "polls", reason: "connecting" });
  expect(pushStatusOf({ ...base, ...live, pushState: "reconnecting" }, imap, now)).toEqual({ kind: "polls", reason: "reconnecting" });
  expect(pushStatusOf({ ...base, pushState: "no_slot" }, imap, now)).toEqual({ kind: "polls", reason: "no_slot" });
  expect(pushStatusOf({ ...base, pushState: "failed" }, imap, now)).toEqual({ kind: "polls", reason: "failed" });
  expect(pushStatusOf({ ...base, pushState: "settings_changed" }, imap, now)).toEqual({ kind: "polls", reason: "waiting" });
  // A polled sync's lease is not a held session.
  expect(pushStatusOf({ ...base, ...live, pushState: "released" }, imap, now)).toEqual({ kind: "polls", reason: "waiting" });
});

test("nothing to say when the worker does not fetch the mailbox's mail", () => {
  expect(pushStatusOf({ ...base, incomingEnabled: false }, imap, now)).toBeNull();
  expect(pushStatusOf({ ...base, incomingDelivery: "email_router" }, imap, now)).toBeNull();
  expect(pushStatusOf(base, null, now)).toBeNull();
});
