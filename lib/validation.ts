import type { z } from "zod";
import { AppError } from "./errors";
import { isMessageKey, msg, type Message } from "./i18n/message";
import { postgresErrorOf } from "./postgres-error";

/*
 * Schemas in lib/ give each rule's message as a catalogue key
 * (`z.string().min(1, "users.error.nameRequired")`); a zod issue whose message is
 * not a key (zod's own wording, for a rule that names none) becomes the generic
 * "check this value".
 */

/** The person's message for one zod issue: its key, or the generic one. */
export function messageOfIssue(issue: z.core.$ZodIssue): Message {
  return isMessageKey(issue.message) ? msg(issue.message) : msg("validation.invalidValue");
}

// Credential fields go to mail servers and into command lines, where CR and LF end a command.
const CREDENTIAL_FIELD = /^(userName|password|outgoingUserName|outgoingPassword)$/;

/**
 * Characters no field may hold, found before any rule or the database sees them:
 * NUL anywhere (Postgres cannot store it in text, and would fail the whole write),
 * CR and LF in user names and passwords (they would start a new command on a mail
 * server). Keyed by field, like fieldErrorsOf.
 */
export function forbiddenCharacterErrors(input: unknown): Record<string, Message[]> {
  const errors: Record<string, Message[]> = {};
  const entries = input instanceof FormData ? [...input.entries()] : input && typeof input === "object" ? Object.entries(input) : [];
  for (const [field, value] of entries) {
    if (typeof value !== "string") continue;
    if (value.includes("\0")) (errors[field] ??= []).push(msg("validation.nulCharacter"));
    else if (CREDENTIAL_FIELD.test(field) && /[\r\n]/.test(value)) (errors[field] ??= []).push(msg("validation.lineBreak"));
  }
  return errors;
}

/** Parses `input` with `schema`, or throws AppError("invalid") with each field's messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const forbidden = forbiddenCharacterErrors(input);
  const result = schema.safeParse(input);
  if (result.success && Object.keys(forbidden).length === 0) return result.data;
  const fieldErrors = result.success ? {} : fieldErrorsOf(result.error);
  for (const [field, messages] of Object.entries(forbidden)) fieldErrors[field] = [...messages, ...(fieldErrors[field] ?? [])];
  throw new AppError("invalid", msg("common.fixFields"), { fieldErrors, internal: `invalid input: ${result.success ? "forbidden characters" : result.error.message}` });
}

/** Each field's messages, keyed by the field's form name ("_form" for the whole). */
export function fieldErrorsOf(error: z.ZodError): Record<string, Message[]> {
  const fieldErrors: Record<string, Message[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.join(".") : "_form";
    (fieldErrors[field] ??= []).push(messageOfIssue(issue));
  }
  return fieldErrors;
}

/** True when `err` is Postgres's unique violation on the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = postgresErrorOf(err);
  return pg?.code === "23505" && (!constraint || pg.constraint === constraint);
}
