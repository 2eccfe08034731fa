import { setLocale } from "@/app/locale/actions";
import type { Locale } from "@/lib/i18n/locales";

/** Two buttons, English and 日本語; the current one is marked. Works without JavaScript. */
export function LocaleSwitch({ locale, label }: { locale: Locale; label: string }) {
  return (
    <form action={setLocale} aria-label={label} className="flex gap-1 text-xs">
      {(["en", "ja"] as const).map((l) => (
        <button
          key={l}
          type="submit"
          name="locale"
          value={l}
          aria-pressed={l === locale}
          lang={l}
          className={`rounded px-2 py-1 ${l === locale ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-700"}`}
        >
          {l === "en" ? "English" : "日本語"}
        </button>
      ))}
    </form>
  );
}
