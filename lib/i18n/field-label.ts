import type { MessageKey } from "./catalog";
import { isMessageKey } from "./message";

/** Where forms keep their fields' labels, most specific first. */
const LABEL_PREFIXES = ["profiles.field", "mailboxes.field", "settings.field", "outbox.compose", "field"];

/**
 * The catalogue key of the label a form shows for the field named `field` (its
 * form name, e.g. "userName" or "ownerId"), looked up first under `prefer`
 * (e.g. "mailboxes.field" for a mailbox form), or null when no form labels it.
 */
export function fieldLabelKey(field: string, prefer: string[] = []): MessageKey | null {
  // The profile form's OAuth fields are labelled under oauth.field.* without their "oauth" prefix.
  const oauth = /^oauth[A-Z]/.test(field) ? `oauth.field.${field.charAt(5).toLowerCase()}${field.slice(6)}` : null;
  if (oauth && isMessageKey(oauth)) return oauth;
  const prefixes = [...prefer, ...LABEL_PREFIXES];
  // "ownerId" is labelled as "owner" on some forms.
  const names = field.endsWith("Id") ? [field, field.slice(0, -2)] : [field];
  for (const prefix of prefixes) {
    for (const name of names) {
      const key = `${prefix}.${name}`;
      if (isMessageKey(key)) return key;
    }
  }
  return null;
}
