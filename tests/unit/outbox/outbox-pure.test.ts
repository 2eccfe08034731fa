import { expect, test } from "vitest";
import { formatBytes } from "../../../lib/outbox/outbox-limits";
import { formatAddressList, isValidAddress, parseAddressList } from "../../../lib/outbox/parse-address-list";
import { prefixSubject, replyHeaders } from "../../../lib/outbox/reply-headers";
import { retryDelayMs } from "../../../lib/outbox/send-options";

test("address lists split on commas, semicolons and new lines, but not inside quotes or angle brackets", () => {
  expect(parseAddressList(`"Doe, Jane" <jane@example.org>; bob@example.net\n Carol Smith <carol@example.com>,,`)).toEqual({
    addresses: [
      { name: "Doe, Jane", address: "jane@example.org" },
      { name: "", address: "bob@example.net" },
      { name: "Carol Smith", address: "carol@example.com" },
    ],
    invalid: [],
  });
  expect(parseAddressList("<only@example.org>").addresses).toEqual([{ name: "", address: "only@example.org" }]);
  expect(parseAddressList("").addresses).toEqual([]);
});

test("entries that are not an address are returned as typed", () => {
  expect(parseAddressList("jane, jane@, @example.org, a b@example.org, x@y, ok@例え.jp, Name <bad>").invalid).toEqual(["jane", "jane@", "@example.org", "a b@example.org", "x@y", "Name <bad>"]);
});

test("isValidAddress accepts dot-atoms on a multi-label domain and nothing else", () => {
  for (const ok of ["a@b.co", "first.last+tag@sub.example.org", "o'brien@example.ie", "ok@例え.jp"]) expect(isValidAddress(ok)).toBe(true);
  for (const bad of ["a@b", "a..b@example.org", ".a@example.org", "a@-example.org", "a@example.123", `${"x".repeat(65)}@example.org`, "a@b@example.org"]) expect(isValidAddress(bad)).toBe(false);
});

test("formatAddressList quotes names that need it, so the list parses back the same", () => {
  const list = [
    { name: "Doe, Jane", address: "jane@example.org" },
    { name: "", address: "bob@example.net" },
  ];
  expect(formatAddressList(list)).toBe(`"Doe, Jane" <jane@example.org>, bob@example.net`);
  expect(parseAddressList(formatAddressList(list)).addresses).toEqual(list);
});

test("Re:/Fwd: are not stacked", () => {
  expect(prefixSubject("Re", "Budget")).toBe("Re: Budget");
  expect(prefixSubject("Re", "RE: Budget")).toBe("RE: Budget");
  expect(prefixSubject("Fwd", "Fw: Budget")).toBe("Fw: Budget");
  expect(prefixSubject("Fwd", "Re: Budget")).toBe("Fwd: Re: Budget");
  expect(prefixSubject("Re", "")).toBe("Re:");
});

test("References: the parent's chain and the parent, trimmed in the middle when long", () => {
  expect(replyHeaders({ messageId: "<p@x>", references: "<a@x> <b@x>", inReplyTo: "<b@x>" })).toEqual({ inReplyTo: "<p@x>", references: "<a@x> <b@x> <p@x>" });
  expect(replyHeaders({ messageId: "<p@x>", references: null, inReplyTo: "<b@x>" })).toEqual({ inReplyTo: "<p@x>", references: "<b@x> <p@x>" });
  expect(replyHeaders({ messageId: null, references: "<a@x>", inReplyTo: null })).toEqual({ inReplyTo: null, references: null });
  const long = Array.from({ length: 30 }, (_, i) => `<m${i}@x>`).join(" ");
  const refs = replyHeaders({ messageId: "<p@x>", references: long, inReplyTo: null }).references!.split(" ");
  expect(refs).toHaveLength(20);
  expect(refs[0]).toBe("<m0@x>");
  expect(refs.at(-1)).toBe("<p@x>");
  expect(refs.at(-2)).toBe("<m29@x>");
});

test("retry delays double from the base up to the cap, with at most 20 % jitter", () => {
  const o = { retryBaseMs: 60_000, retryCapMs: 30 * 60_000 };
  expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, { ...o, random: () => 0 }))).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000]);
  expect(retryDelayMs(1, { ...o, random: () => 0.999 })).toBeLessThanOrEqual(72_000);
  expect(retryDelayMs(10, { ...o, random: () => 0.999 })).toBe(1_800_000);
});

test("formatBytes", () => {
  expect(formatBytes(10 * 1024 * 1024)).toBe("10 MB");
  expect(formatBytes(11.5 * 1024 * 1024)).toBe("11.5 MB");
  expect(formatBytes(2048)).toBe("2 KB");
  expect(formatBytes(12)).toBe("12 bytes");
});
