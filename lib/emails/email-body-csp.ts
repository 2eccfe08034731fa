/**
 * The Content-Security-Policy of a message body shown in the sandboxed frame:
 * nothing loads or runs except inline styles, images from this message's
 * attachment route and data: images, and https images once the reader asks.
 * `attachmentBase` is the absolute URL of the message's attachment folder, ending in "/".
 */
export function emailBodyCsp(attachmentBase: string, allowRemote: boolean): string {
  const images = [attachmentBase, "data:", ...(allowRemote ? ["https:"] : [])].join(" ");
  return [
    "default-src 'none'",
    `img-src ${images}`,
    "style-src 'unsafe-inline'",
    "font-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    // Only our own message page may frame it (the app sends X-Frame-Options: DENY elsewhere).
    "frame-ancestors 'self'",
    "sandbox",
  ].join("; ");
}
