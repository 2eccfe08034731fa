import { catalog, type MessageKey } from "./catalog";
import { translator, type Translate } from "./translate";

/*
 * What lib/ tells a person: a catalogue key and its parameters, never a finished
 * sentence. The UI (or an alert email) renders it in the reader's language.
 *
 * Parameters are plain values (a host, a port, a count, a server's reply kept
 * verbatim) with one convention for words that must be translated too:
 *
 *   a parameter whose name ends in `Key` holds a message key; it is rendered (with
 *   the same parameters) and fills the placeholder named without `Key`.
 *
 * So `msg("mailError.authFailed", { fieldKey: "profiles.field.userName" })` fills
 * `{field}` with "User name" / "ユーザー名", and a message can carry another one
 * whole: `{ ...nested("cause", error.message) }` fills `{cause}` with that
 * message rendered from its own key and parameters (which are merged in, so a
 * nested message's parameter names must not clash with the outer one's). An empty
 * `…Key` parameter fills its placeholder with nothing (an optional part).
 */

export type MessageParams = Record<string, string | number>;
export type Message = { key: MessageKey; params?: MessageParams };

/** A message to show a person: its catalogue key and parameters. */
export function msg(key: MessageKey, params?: MessageParams): Message {
  return params ? { key, params } : { key };
}

/** True when `value` is a key of the catalogue (e.g. a zod issue's message). */
export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(catalog.en, value);
}

/** The parameters that carry `message` whole inside another one, as placeholder `{name}`. */
export function nested(name: string, message: Message): MessageParams {
  return { ...message.params, [`${name}Key`]: message.key };
}

/** Renders `message` with `t` (the reader's language), translating the `…Key` parameters first. */
export function renderMessage(t: Translate, message: Message, depth = 0): string {
  const params = message.params ?? {};
  const vars: MessageParams = {};
  for (const [name, value] of Object.entries(params)) {
    if (name.endsWith("Key") && name.length > 3 && value === "") vars[name.slice(0, -3)] = "";
    else if (name.endsWith("Key") && name.length > 3 && isMessageKey(value) && depth < 4) {
      // The nested message must not render itself again through the same parameter.
      const inner = { ...params };
      delete inner[name];
      vars[name.slice(0, -3)] = renderMessage(t, { key: value, params: inner }, depth + 1);
    } else vars[name] = value;
  }
  return t(message.key, vars);
}

/**
 * A message stored as key + parameters (alerts, last errors, job outcomes), or
 * the text an older row stored before messages were keys: shown as it is.
 */
export function storedMessage(key: string | null | undefined, params: unknown, legacyText: string | null | undefined): Message | string | null {
  if (isMessageKey(key)) return { key, params: isParams(params) ? params : undefined };
  return legacyText ?? null;
}

/** Renders a stored message (see storedMessage): a key is translated, an old text shown unchanged. */
export function renderStored(t: Translate, stored: Message | string | null): string {
  if (stored === null) return "";
  return typeof stored === "string" ? stored : renderMessage(t, stored);
}

function isParams(v: unknown): v is MessageParams {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string" || typeof x === "number");
}

/** The English rendering, kept beside the key for logs, exports and tools that read the text columns. */
export function inEnglish(message: Message): string {
  return renderMessage(translator("en"), message);
}
