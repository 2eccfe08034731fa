/**
 * A file name safe to save: no directories, control characters, reserved
 * punctuation or leading dots; at most 200 characters; "attachment" when nothing is left.
 */
export function safeFileName(name: string | null | undefined): string {
  const cleaned = (name ?? "")
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .replace(/[\\/:*?"<>|]/g, "_")
    .replace(/^[\s.]+|[\s.]+$/g, "")
    .slice(0, 200);
  return cleaned || "attachment";
}

/**
 * A `Content-Disposition: attachment` value naming the file: a plain ASCII
 * `filename` for old clients and the exact UTF-8 name in `filename*` (RFC 5987/6266).
 */
export function attachmentDisposition(name: string | null | undefined): string {
  const safe = safeFileName(name);
  const ascii = safe.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%;]/g, "_");
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
