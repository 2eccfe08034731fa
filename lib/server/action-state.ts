// Client components import this file, so it has no server-only imports.
export type ActionState = {
  ok: boolean;
  message?: string;
  formError?: string;
  fieldErrors?: Record<string, string[]>;
  /** What was submitted, minus secrets, so the form can show it again (React 19 resets forms). */
  values?: Record<string, string>;
};

export const initialActionState: ActionState = { ok: false };
