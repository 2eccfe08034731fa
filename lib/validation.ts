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

/** Parses `input` with `schema`, or throws AppError("invalid") with each field's messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new AppError("invalid", msg("common.fixFields"), { fieldErrors: fieldErrorsOf(result.error), internal: `invalid input: ${result.error.message}` });
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
