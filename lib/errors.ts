/**
 * An error whose message is safe to show to a person. Anything else thrown is
 * logged on the server and shown as a generic message (lib/server/action.ts).
 * `fieldErrors` name the form fields at fault.
 */
export class AppError extends Error {
  constructor(
    readonly code: "unauthenticated" | "forbidden" | "not_found" | "invalid" | "conflict" | "rate_limited",
    readonly safeMessage: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(safeMessage);
    this.name = "AppError";
  }
}
