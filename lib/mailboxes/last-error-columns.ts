import { inEnglish, type Message } from "../i18n/message";

/**
 * A mailbox's last error as stored: the code, the message's key and parameters
 * (rendered in each reader's language) and an English copy for logs and older
 * readers; null clears them all.
 */
export function lastErrorColumns(message: Message | null, code: string | null) {
  return message
    ? { lastError: inEnglish(message), lastErrorCode: code, lastErrorKey: message.key, lastErrorParams: message.params ?? {} }
    : { lastError: null, lastErrorCode: null, lastErrorKey: null, lastErrorParams: null };
}
