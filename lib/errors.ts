import type { Message } from "./i18n/message";

/** What kind of refusal an AppError is; `httpStatusOf` maps each to its HTTP status. */
export type AppErrorCode = "unauthenticated" | "forbidden" | "not_found" | "invalid" | "conflict" | "rate_limited";

/** The one place that maps an AppError's code to an HTTP status (routes, API answers). */
export const httpStatusOf: Record<AppErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid: 400,
  conflict: 409,
  rate_limited: 429,
};

export type AppErrorOptions = {
  /** Each form field at fault (by its form name) and what is wrong with it. */
  fieldErrors?: Record<string, Message[]>;
  /** For logs only: the technical story (ids, codes); never shown to a person. */
  internal?: string;
  cause?: unknown;
};

/**
 * An error a person may be told about: `userMessage` is a catalogue key with
 * parameters, rendered in the reader's language by the UI (lib/server/action.ts);
 * `message` (Error's own) is the internal text for logs. Anything else thrown is
 * logged and shown as a generic message. `fieldErrors` name the form fields at fault.
 */
export class AppError extends Error {
  readonly fieldErrors: Record<string, Message[]>;

  constructor(
    readonly code: AppErrorCode,
    readonly userMessage: Message,
    options: AppErrorOptions = {},
  ) {
    super(options.internal ?? `${code}: ${userMessage.key}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.fieldErrors = options.fieldErrors ?? {};
  }

  /** The HTTP status for this error (see httpStatusOf). */
  get httpStatus(): number {
    return httpStatusOf[this.code];
  }
}
