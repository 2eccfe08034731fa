import type { z } from "zod";
import { AppError } from "./errors";
import { postgresErrorOf } from "./postgres-error";

/** Parses `input` with `schema`, or throws AppError("invalid") with each field's messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length ? issue.path.join(".") : "_form";
    (fieldErrors[field] ??= []).push(issue.message);
  }
  throw new AppError("invalid", "Some fields need attention.", fieldErrors);
}

/** True when `err` is Postgres's unique violation on the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = postgresErrorOf(err);
  return pg?.code === "23505" && (!constraint || pg.constraint === constraint);
}
