import type { MessageKey } from "../i18n/catalog";
import { translator } from "../i18n/translate";

type Message = { key: MessageKey; params?: Record<string, string | number> };

/**
 * Title and message of a monitoring alert, from catalogue keys. Until alerts
 * store key + parameters (lib/i18n/message.ts), they are stored rendered in English.
 */
export function alertText(title: Message, message: Message): { title: string; message: string } {
  const t = translator("en");
  return { title: t(title.key, title.params), message: t(message.key, message.params) };
}
