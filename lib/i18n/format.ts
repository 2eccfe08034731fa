/**
 * Dates and numbers in the reader's language and time zone, with the formatters kept.
 * `date.toLocaleString(locale, options)` builds a new Intl.DateTimeFormat on every call
 * (~0.3 ms here); a list page with two dates on each of 25–50 rows spent more time on that
 * than on rendering the rest (issue 17). A kept formatter formats in a few microseconds.
 * The cache is keyed by locale and options; its size is bounded because the time zone
 * comes from a cookie.
 */
const MAX_FORMATTERS = 500;
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function kept<F>(cache: Map<string, F>, key: string, make: () => F): F {
  let f = cache.get(key);
  if (!f) {
    // Built before it is stored: an unknown time zone throws here and is not cached.
    f = make();
    if (cache.size >= MAX_FORMATTERS) cache.clear();
    cache.set(key, f);
  }
  return f;
}

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat {
  return kept(dateFormats, `${locale}\u0000${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));
}

/** Like `date.toLocaleString(locale, options)` (date and time by default). */
export function formatDateTime(date: Date, locale: string, options: Intl.DateTimeFormatOptions = {}): string {
  const hasFields = ["dateStyle", "timeStyle", "year", "month", "day", "weekday", "hour", "minute", "second"].some((k) => k in options);
  // toLocaleString shows date and time when no field is asked for; a bare Intl.DateTimeFormat shows only the date.
  const full = hasFields ? options : { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", ...options };
  return dateTimeFormat(locale, full as Intl.DateTimeFormatOptions).format(date);
}

/** Like `date.toLocaleDateString(locale, options)`. */
export function formatDate(date: Date, locale: string, options: Intl.DateTimeFormatOptions = {}): string {
  return dateTimeFormat(locale, options).format(date);
}

/** Like `n.toLocaleString(locale, options)`. */
export function formatNumber(n: number, locale: string, options: Intl.NumberFormatOptions = {}): string {
  return kept(numberFormats, `${locale}\u0000${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options)).format(n);
}
