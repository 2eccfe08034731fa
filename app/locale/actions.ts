"use server";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { locales } from "@/lib/i18n/locales";
import { LOCALE_COOKIE } from "@/lib/server/locale";

/** The language switch: remembers the choice in a cookie for a year. */
export async function setLocale(formData: FormData): Promise<void> {
  const value = formData.get("locale");
  if (typeof value !== "string" || !(locales as readonly string[]).includes(value)) return;
  (await cookies()).set(LOCALE_COOKIE, value, { path: "/", maxAge: 365 * 24 * 3600, sameSite: "lax", httpOnly: true });
  revalidatePath("/", "layout");
}
