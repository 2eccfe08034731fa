import { AppError } from "@/lib/errors";
import { fieldLabelKey } from "@/lib/i18n/field-label";
import { renderMessage } from "@/lib/i18n/message";
import type { Translate } from "@/lib/i18n/translate";
import { log } from "@/lib/log";
import { postgresErrorOf } from "@/lib/postgres-error";
import type { Actor } from "@/lib/auth/actor";
import { getT } from "./locale";
import { getActor } from "./session";

import type { ActionState } from "./action-state";

export type { ActionState } from "./action-state";

// Also the OAuth app's certificate key and service account key (profile form).
const SECRET_FIELD = /password|secret|token|privatekey|accountkey/i;

/** The submitted text fields, without any that could hold a secret. */
export function echoValues(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formData.entries()) if (typeof v === "string" && !k.startsWith("$") && !SECRET_FIELD.test(k)) out[k] = v;
  return out;
}

/**
 * Runs one action in the fixed order: find the actor on the server, then call the
 * domain function (which checks the privilege and validates). AppErrors become
 * field or form errors rendered in the reader's language, each field named by
 * its label (looked up first under `options.labels`, e.g. "mailboxes.field");
 * anything else is logged and shown as a generic message, so no internal detail
 * reaches the browser.
 */
export async function runAction(
  formData: FormData | null,
  body: (actor: Actor | null) => Promise<string | void>,
  options: { labels?: string[] } = {},
): Promise<ActionState> {
  const values = formData ? echoValues(formData) : undefined;
  try {
    const actor = await getActor();
    const message = await body(actor);
    return { ok: true, message: message ?? undefined, values };
  } catch (err) {
    if (err instanceof AppError) return { ...renderAppError(err, await getT(), options.labels), values };
    // Next's redirect()/notFound() work by throwing; let them through.
    if (isNextControlFlow(err)) throw err;
    // Postgres's data exceptions (class 22: a character or date it cannot store) come from
    // what the person typed, which the rules above did not foresee: say so, not "went wrong".
    if (postgresErrorOf(err)?.code.startsWith("22")) {
      log("warn", "action refused by the database", { err });
      return { ok: false, formError: (await getT())("validation.unstorable"), values };
    }
    log("error", "action failed", { err });
    return { ok: false, formError: (await getT())("common.genericError"), values };
  }
}

/** An AppError as a form shows it: its message, each field's messages and the fields' labels, in `t`'s language. */
export function renderAppError(err: AppError, t: Translate, labels: string[] = []): ActionState {
  const fieldErrors: Record<string, string[]> = {};
  const fieldLabels: Record<string, string> = {};
  for (const [field, messages] of Object.entries(err.fieldErrors)) {
    fieldErrors[field] = messages.map((m) => renderMessage(t, m));
    const label = fieldLabelKey(field, labels);
    fieldLabels[field] = label ? t(label) : field;
  }
  return { ok: false, code: err.code, formError: renderMessage(t, err.userMessage), fieldErrors, fieldLabels };
}

function isNextControlFlow(err: unknown): boolean {
  const digest = (err as { digest?: unknown })?.digest;
  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK"));
}

/** Reads a checkbox: present ("on") means true. */
export function checkbox(formData: FormData, name: string): boolean {
  const v = formData.get(name);
  return v === "on" || v === "true" || v === "1";
}

/** Reads a text field as a string ("" when absent). */
export function text(formData: FormData, name: string): string {
  const v = formData.get(name);
  return typeof v === "string" ? v : "";
}
