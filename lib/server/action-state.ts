// Client components import this file, so it has no server-only imports.
import type { AppError } from "@/lib/errors";

/**
 * An action's outcome as the form shows it, already in the reader's language
 * (lib/server/action.ts renders lib/'s message keys).
 */
export type ActionState = {
  ok: boolean;
  message?: string;
  /** Why a refused action was refused (the AppError's code); absent on success and on unexpected errors. */
  code?: AppError["code"];
  formError?: string;
  fieldErrors?: Record<string, string[]>;
  /** The label of each field in `fieldErrors`, for the summary that links to (and focuses) the field. */
  fieldLabels?: Record<string, string>;
  /** What was submitted, minus secrets, so the form can show it again (React 19 resets forms). */
  values?: Record<string, string>;
};

export const initialActionState: ActionState = { ok: false };
