import { AppError } from "../errors";
import { msg } from "../i18n/message";
import type { ClassifiedError } from "./errors";

/**
 * Why a mailbox's effective settings could not be loaded, in the classifier's
 * terms: settings that cannot be used (no profile, no password) are permanent and
 * say what to fix; anything else (the sealing key missing on this server) is an
 * operator problem and retried.
 */
export function settingsError(err: unknown): ClassifiedError {
  if (err instanceof AppError) {
    return { kind: "permanent", code: "unknown", field: null, form: "mailbox", message: err.userMessage, detail: `settings: ${err.code}: ${err.message}` };
  }
  return {
    kind: "transient",
    code: "unknown",
    field: null,
    form: null,
    message: msg("mailError.secretsUnreadable"),
    detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
  };
}
