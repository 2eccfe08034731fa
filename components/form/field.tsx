import type { ReactNode } from "react";

type FieldProps = {
  name: string;
  label: string;
  /** A short explanation, shown as a tooltip on the ⓘ beside the label and read by screen readers. */
  help?: string;
  errors?: string[];
  children: ReactNode;
};

/** A labelled form field with its help tooltip and its errors beside it. */
export function Field({ name, label, help, errors, children }: FieldProps) {
  const errorId = `${name}-error`;
  const helpId = `${name}-help`;
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center gap-1">
        <label htmlFor={name} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        {/* Outside the label, so the field's accessible name is the label alone; the help is read through aria-describedby. */}
        {help ? (
          <span title={help} aria-hidden="true" className="cursor-help text-sm text-slate-400">
            ⓘ
          </span>
        ) : null}
      </div>
      {children}
      {help ? (
        <span id={helpId} className="sr-only">
          {help}
        </span>
      ) : null}
      {errors?.length ? (
        <p id={errorId} data-field-error={name} className="text-sm text-red-700">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** Props that tie an input to its Field's error and help text. */
export function describedBy(name: string, errors?: string[], help?: string) {
  const ids = [errors?.length ? `${name}-error` : "", help ? `${name}-help` : ""].filter(Boolean).join(" ");
  return { id: name, name, "aria-invalid": errors?.length ? true : undefined, "aria-describedby": ids || undefined };
}

export const inputClass =
  "rounded border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-blue-500 focus:outline-none focus:ring-1 focus:ring-blue-500 disabled:bg-slate-100 disabled:text-slate-500";
