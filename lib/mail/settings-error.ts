import { AppError } from "../errors";
import type { ClassifiedError } from "./errors";

/**
 * Why a mailbox's effective settings could not be loaded, in the classifier's
 * terms: settings that cannot be used (no profile, no password) are permanent and
 * say what to fix; anything else (the sealing key missing on this server) is an
 * operator problem and retried.
 */
export function settingsError(err: unknown): ClassifiedError {
  if (err instanceof AppError) {
    return { kind: "permanent", code: "unknown", field: null, form: "mailbox", message: err.safeMessage, detail: `settings: ${err.code}` };
  }
  return {
    kind: "transient",
    code: "unknown",
    field: null,
    form: null,
    message: "The mailbox's stored credentials could not be opened on this server — the operator should check MAILROOM_SECRET_KEY. Will retry.",
    detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
  };
}
