import type { ActionState } from "@/lib/server/action-state";

/**
 * The form's overall outcome. Our own role="alert" element (Next.js adds another
 * for route announcements), marked with data-form-status for tests.
 */
export function FormStatus({ state }: { state: ActionState }) {
  if (state.formError) {
    return (
      <div role="alert" data-form-status="error" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        {state.formError}
      </div>
    );
  }
  if (state.ok && state.message) {
    return (
      <div role="status" data-form-status="ok" className="rounded border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">
        {state.message}
      </div>
    );
  }
  return null;
}
