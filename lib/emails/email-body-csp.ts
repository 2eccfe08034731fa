/**
 * The Content-Security-Policy of a message body shown in the sandboxed frame:
 * nothing runs and nothing loads except inline styles and data: images (inline
 * images travel in the body), plus https images once the reader asks.
 */
export function emailBodyCsp(allowRemote: boolean): string {
  return [
    "default-src 'none'",
    `img-src data:${allowRemote ? " https:" : ""}`,
    "style-src 'unsafe-inline'",
    "font-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    // Only our own message page may frame it (the app sends X-Frame-Options: DENY elsewhere).
    "frame-ancestors 'self'",
    "sandbox",
  ].join("; ");
}
