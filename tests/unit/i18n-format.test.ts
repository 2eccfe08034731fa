import { expect, test } from "vitest";
import { dateTimeFormat, formatDate, formatDateTime, formatNumber } from "../../lib/i18n/format";

const at = new Date("2026-12-02T23:45:06Z");

test("kept formatters print exactly what toLocaleString / toLocaleDateString print, in both languages and any zone", () => {
  for (const locale of ["en", "ja"]) {
    for (const timeZone of [undefined, "Asia/Tokyo", "America/New_York"]) {
      expect(formatDateTime(at, locale, { timeZone })).toBe(at.toLocaleString(locale, { timeZone }));
      expect(formatDateTime(at, locale, { dateStyle: "medium", timeStyle: "short", timeZone })).toBe(at.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short", timeZone }));
      expect(formatDate(at, locale, { timeZone })).toBe(at.toLocaleDateString(locale, { timeZone }));
    }
    expect(formatNumber(1234.56, locale, { maximumFractionDigits: 1 })).toBe((1234.56).toLocaleString(locale, { maximumFractionDigits: 1 }));
  }
  // Tokyo is already on the next day.
  expect(formatDate(at, "ja", { timeZone: "Asia/Tokyo" })).toBe("2026/12/3");
});

test("a formatter is built once per locale and options, and an unknown time zone throws without being kept", () => {
  expect(dateTimeFormat("ja", { timeZone: "Asia/Tokyo" })).toBe(dateTimeFormat("ja", { timeZone: "Asia/Tokyo" }));
  expect(dateTimeFormat("en", { timeZone: "Asia/Tokyo" })).not.toBe(dateTimeFormat("ja", { timeZone: "Asia/Tokyo" }));
  expect(() => dateTimeFormat("en", { timeZone: "Mars/Olympus" })).toThrow(RangeError);
  expect(() => dateTimeFormat("en", { timeZone: "Mars/Olympus" })).toThrow(RangeError);
});
