import { isUuid } from "../is-uuid";

export type MailIds = { mailboxId: string; emailId: number };

/**
 * A mailbox id and message id from a URL, or null when they cannot be ids (so a
 * bad URL is "not found", never a database error).
 */
export function parseMailIds(mailboxId: string, emailId: string): MailIds | null {
  const id = parseIntegerId(emailId);
  return isUuid(mailboxId) && id !== null ? { mailboxId, emailId: id } : null;
}

/** A message id or attachment position from a URL: a non-negative integer, else null. */
export function parseIntegerId(value: string): number | null {
  if (!/^\d{1,15}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
