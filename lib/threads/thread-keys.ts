/** How a message found its conversation (recorded on each message). */
export type ThreadMethod = "in_reply_to" | "references" | "message_id" | "outgoing" | "subject" | "new";

/** Message-IDs kept per message for matching; longer ones are not ids anyone threads on. */
const MAX_REF_IDS = 50;
const MAX_ID_CHARS = 500;

/** Reply and forward prefixes, in the languages our users' mail programs write them. */
const PREFIX = /^\s*((re|fwd?|aw|wg|sv|vs|antw|r|tr|rif|enc|odp|返信|転送|答复|回复|转发)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*)+/i;

/** The Message-IDs a message answers: its In-Reply-To first, then its References newest first, each once. */
export function referencedIds(inReplyTo: string | null, references: string | null): string[] {
  const ids = [...(inReplyTo?.match(/<[^<>\s]+>/g) ?? []), ...(references?.match(/<[^<>\s]+>/g) ?? []).reverse()];
  return [...new Set(ids.filter((id) => id.length <= MAX_ID_CHARS))].slice(0, MAX_REF_IDS);
}

/** The subject as conversations compare it: Re:/Fwd:/AW:/返信: prefixes off, spaces folded, lower-cased; null when empty. */
export function subjectKey(subject: string): string | null {
  const key = subject.replace(PREFIX, "").replace(/\s+/g, " ").trim().toLowerCase().slice(0, 500);
  return key === "" ? null : key;
}

/** Whether the subject says it answers or forwards something (a subject-only match needs this). */
export function hasReplyPrefix(subject: string): boolean {
  return PREFIX.test(subject);
}
