import type { InputHTMLAttributes } from "react";

type CheckboxFieldProps = {
  name: string;
  label: string;
  /** What ticking it does: a tooltip on the ⓘ, and read by screen readers. */
  help?: string;
  errors?: string[];
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "type" | "id">;

/** A checkbox with its label to the right, a help tooltip and its errors beside it (the checkbox twin of Field). */
export function CheckboxField({ name, label, help, errors, ...input }: CheckboxFieldProps) {
  const errorId = `${name}-error`;
  const helpId = `${name}-help`;
  const described = [errors?.length ? errorId : "", help ? helpId : ""].filter(Boolean).join(" ");
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center gap-2">
        <input
          {...input}
          type="checkbox"
          id={name}
          name={name}
          aria-invalid={errors?.length ? true : undefined}
          aria-describedby={described || undefined}
          className="h-4 w-4 rounded border-slate-300"
        />
        <label htmlFor={name} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        {help ? (
          <span title={help} aria-hidden="true" className="cursor-help text-slate-400">
            ⓘ
          </span>
        ) : null}
      </div>
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
