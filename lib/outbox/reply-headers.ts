import type { SourceEmail } from "./load-source-email";

/** Message-IDs kept in References: the thread's first one and the most recent ones (RFC 5322 §3.6.4 lets clients trim the middle). */
const MAX_REFERENCES = 20;

/** "Re: " (or "Fwd: ") in front of `subject`, unless it already starts with one. */
export function prefixSubject(prefix: "Re" | "Fwd", subject: string): string {
  const already = prefix === "Re" ? /^\s*re\s*:/i : /^\s*(fwd?|fw)\s*:/i;
  return already.test(subject) ? subject.trim() : `${prefix}: ${subject.trim()}`.trimEnd();
}

/**
 * In-Reply-To and References for a reply to `source` (RFC 5322 §3.6.4): the
 * parent's Message-ID, and the parent's References (or In-Reply-To) followed by it.
 * A parent without a Message-ID gives none.
 */
export function replyHeaders(source: Pick<SourceEmail, "messageId" | "references" | "inReplyTo">): { inReplyTo: string | null; references: string | null } {
  const parent = source.messageId?.trim();
  if (!parent) return { inReplyTo: null, references: null };
  const earlier = (source.references ?? source.inReplyTo ?? "").match(/<[^<>\s]+>/g) ?? [];
  let ids = [...earlier.filter((id) => id !== parent), parent];
  if (ids.length > MAX_REFERENCES) ids = [ids[0], ...ids.slice(ids.length - (MAX_REFERENCES - 1))];
  return { inReplyTo: parent, references: ids.join(" ") };
}
