import { cache } from "react";
import { cookies, headers } from "next/headers";
import { pickLocale, type Locale } from "@/lib/i18n/locales";
import { translator, type Translate } from "@/lib/i18n/translate";
import { dateTimeFormat } from "@/lib/i18n/format";

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

export const TIME_ZONE_COOKIE = "tz";

/**
 * The reader's time zone, as their browser reported it (components/shell/time-zone-cookie.tsx
 * stores it in a cookie); undefined (the server's zone) until the browser has said,
 * or when the cookie does not name a zone this runtime knows.
 */
export const getTimeZone = cache(async (): Promise<string | undefined> => {
  const value = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  if (!value) return undefined;
  try {
    dateTimeFormat("en", { timeZone: value });
    return value;
  } catch {
    return undefined;
  }
});
