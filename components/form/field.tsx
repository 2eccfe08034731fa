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
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center gap-1">
        <label htmlFor={name} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        <HelpMark help={help} />
      </div>
      {children}
      <FieldNotes name={name} help={help} errors={errors} />
    </div>
  );
}

/**
 * The ⓘ with the help as its tooltip. It sits outside the label, so a field's
 * accessible name is the label alone; screen readers get the help through FieldNotes.
 */
export function HelpMark({ help }: { help?: string }) {
  return help ? (
    <span title={help} aria-hidden="true" className="cursor-help text-sm text-slate-400">
      ⓘ
    </span>
  ) : null;
}

/** The help (for screen readers, via aria-describedby) and the field's errors, shown beside it. */
export function FieldNotes({ name, help, errors }: { name: string; help?: string; errors?: string[] }) {
  return (
    <>
      {help ? (
        <span id={`${name}-help`} className="sr-only">
          {help}
        </span>
      ) : null}
      {errors?.length ? (
        <p id={`${name}-error`} data-field-error={name} className="text-sm text-red-700">
          {errors.join(" ")}
        </p>
      ) : null}
    </>
  );
}

/** Props that tie an input to its Field's error and help text. */
export function describedBy(name: string, errors?: string[], help?: string) {
  const ids = [errors?.length ? `${name}-error` : "", help ? `${name}-help` : ""].filter(Boolean).join(" ");
  return { id: name, name, "aria-invalid": errors?.length ? true : undefined, "aria-describedby": ids || undefined };
}

export const inputClass =
  "rounded border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-blue-500 focus:outline-none focus:ring-1 focus:ring-blue-500 disabled:bg-slate-100 disabled:text-slate-500";
