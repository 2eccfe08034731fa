import type { InputHTMLAttributes } from "react";
import { FieldNotes, HelpMark, describedBy } from "./field";

type CheckboxFieldProps = {
  name: string;
  label: string;
  /** What ticking it does: a tooltip on the ⓘ, and read by screen readers. */
  help?: string;
  errors?: string[];
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "type" | "id">;

/** A checkbox with its label to the right, a help tooltip and its errors beside it (the checkbox twin of Field). */
export function CheckboxField({ name, label, help, errors, ...input }: CheckboxFieldProps) {
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center gap-2">
        <input {...input} {...describedBy(name, errors, help)} type="checkbox" className="h-4 w-4 rounded border-slate-300" />
        <label htmlFor={name} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        <HelpMark help={help} />
      </div>
      <FieldNotes name={name} help={help} errors={errors} />
    </div>
  );
}
