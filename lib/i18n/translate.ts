import { catalog, type MessageKey } from "./catalog";
import type { Locale } from "./locales";

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A function that looks up UI text in `locale` and fills `{name}` placeholders. */
export function translator(locale: Locale): Translate {
  const messages = catalog[locale];
  return (key, vars) => {
    const text = messages[key] ?? catalog.en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;
  };
}
