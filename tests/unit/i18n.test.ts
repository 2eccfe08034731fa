import { expect, test } from "vitest";
import { catalog } from "../../lib/i18n/catalog";
import { pickLocale } from "../../lib/i18n/locales";
import { translator } from "../../lib/i18n/translate";

test("the locale follows the cookie, then Accept-Language by quality, then English", () => {
  expect(pickLocale("ja", "en-US,en;q=0.9")).toBe("ja");
  expect(pickLocale(undefined, "ja-JP,ja;q=0.9,en;q=0.8")).toBe("ja");
  expect(pickLocale(undefined, "fr-FR,en;q=0.5,ja;q=0.9")).toBe("ja");
  expect(pickLocale("xx", "de")).toBe("en");
  expect(pickLocale(undefined, undefined)).toBe("en");
});

test("every English message has a Japanese translation that is not left empty", () => {
  for (const key of Object.keys(catalog.en) as (keyof typeof catalog.en)[]) {
    expect(catalog.ja[key], key).toBeTruthy();
  }
});

test("placeholders are filled", () => {
  expect(translator("en")("common.pageOf", { page: 2, pages: 5 })).toBe("Page 2 of 5");
  expect(translator("ja")("common.pageOf", { page: 2, pages: 5 })).toBe("2 / 5 ページ");
});
