import { cache } from "react";
import { cookies, headers } from "next/headers";
import { pickLocale, type Locale } from "@/lib/i18n/locales";
import { translator, type Translate } from "@/lib/i18n/translate";

export const LOCALE_COOKIE = "locale";

/** This request's locale: the switch's cookie, else the browser's Accept-Language. */
export const getLocale = cache(async (): Promise<Locale> => {
  const [c, h] = await Promise.all([cookies(), headers()]);
  return pickLocale(c.get(LOCALE_COOKIE)?.value, h.get("accept-language"));
});

/** The translate function for this request's locale. */
export async function getT(): Promise<Translate> {
  return translator(await getLocale());
}
