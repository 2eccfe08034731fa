import type { EmailView } from "./get-email";
import { sanitizeEmailHtml, type SanitizedEmail } from "./sanitize-email-html";

/**
 * The message's HTML made safe for the sandboxed frame: each `cid:` image gets
 * `cidImage(position)` of the attachment with that Content-ID (null leaves it
 * out), and remote images stay out unless `allowRemote`. Null when the message
 * has no HTML.
 */
export function renderEmailBody(
  email: Pick<EmailView, "htmlBody" | "attachments">,
  options: { allowRemote: boolean; cidImage?: (position: number) => string | null },
): SanitizedEmail | null {
  if (email.htmlBody == null || email.htmlBody === "") return null;
  const byCid = new Map<string, number>();
  for (const a of email.attachments) {
    const cid = a.contentId?.trim().replace(/^<|>$/g, "");
    if (cid) {
      byCid.set(cid, a.position);
      if (!byCid.has(cid.toLowerCase())) byCid.set(cid.toLowerCase(), a.position);
    }
  }
  return sanitizeEmailHtml(email.htmlBody, {
    allowRemote: options.allowRemote,
    cidUrl: (cid) => {
      const position = byCid.get(cid) ?? byCid.get(cid.toLowerCase());
      return position === undefined ? null : (options.cidImage?.(position) ?? null);
    },
  });
}
