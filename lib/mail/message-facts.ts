import { referencedIds, subjectKey } from "../threads/thread-keys";
import { permanentlyBounced } from "./detect-automatic";
import type { ParsedMessage } from "./parse-message";

/**
 * The emails columns derived from a parsed message for conversations and automatic
 * mail: the Message-IDs it answers, its subject key, its automatic kind and reason,
 * and a bounce's reports with the addresses that failed for good. Written when a
 * message is stored, and again when a quarantined one is parsed again.
 */
export function messageFactColumns(p: ParsedMessage) {
  return {
    refIds: referencedIds(p.inReplyTo, p.references),
    subjectKey: subjectKey(p.subject),
    autoKind: p.automatic?.kind ?? null,
    autoReason: p.automatic?.reason ?? null,
    dsnRecipients: p.dsn.length > 0 ? p.dsn : null,
    bouncedAddresses: p.dsn.length > 0 ? permanentlyBounced(p.dsn) : null,
  };
}
