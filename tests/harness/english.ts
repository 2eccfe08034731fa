import { AppError } from "../../lib/errors";
import { inEnglish, type Message } from "../../lib/i18n/message";

/** What a person reading English is shown for an AppError: its text and each field's texts. */
export type EnglishRefusal = { code: AppError["code"]; key: string; text: string; fieldErrors: Record<string, string[]> };

/** An AppError as an English reader sees it (tests assert the words people get, rendered from the catalogue). */
export function inEnglishRefusal(err: unknown): EnglishRefusal {
  if (!(err instanceof AppError)) throw err;
  return { code: err.code, key: err.userMessage.key, text: inEnglish(err.userMessage), fieldErrors: englishFieldErrors(err.fieldErrors) };
}

/** Rejects with the English view of the AppError that `p` rejects with (anything else passes through). */
export async function refusedInEnglish(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    throw inEnglishRefusal(err);
  }
}

/** Field messages rendered in English. */
export function englishFieldErrors(fieldErrors: Record<string, Message[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(fieldErrors).map(([field, messages]) => [field, messages.map(inEnglish)]));
}

/** A message rendered in English, or an older row's stored text as it is. */
export function english(m: Message | string | null | undefined): string {
  return m == null ? "" : typeof m === "string" ? m : inEnglish(m);
}
