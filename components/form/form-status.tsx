"use client";
import type { ActionState } from "@/lib/server/action-state";

/**
 * The form's overall outcome. Our own role="alert" element (Next.js adds another
 * for route announcements), marked with data-form-status for tests. When fields
 * are at fault it lists them by their labels, each a link that focuses its field.
 */
export function FormStatus({ state }: { state: ActionState }) {
  if (state.formError) {
    const fields = Object.keys(state.fieldErrors ?? {}).filter((f) => state.fieldErrors?.[f]?.length);
    return (
      <div role="alert" data-form-status="error" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        {state.formError}
        {fields.length ? (
          <ul className="mt-1 list-inside list-disc" data-field-summary>
            {fields.map((f) => (
              <li key={f}>
                <a
                  href={`#${f}`}
                  data-field-link={f}
                  className="underline"
                  onClick={(e) => {
                    const input = document.getElementById(f);
                    if (!input) return;
                    e.preventDefault();
                    input.focus();
                    input.scrollIntoView({ block: "center" });
                  }}
                >
                  {state.fieldLabels?.[f] ?? f}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
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
