"use client";
import { useFormStatus } from "react-dom";

/** A submit button that is disabled while its form's action runs. */
export function SubmitButton({ children, name, value, variant = "primary" }: { children: React.ReactNode; name?: string; value?: string; variant?: "primary" | "secondary" | "danger" }) {
  const { pending } = useFormStatus();
  const colors =
    variant === "primary"
      ? "bg-blue-700 text-white hover:bg-blue-800"
      : variant === "danger"
        ? "bg-red-700 text-white hover:bg-red-800"
        : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50";
  return (
    <button type="submit" name={name} value={value} disabled={pending} aria-busy={pending} className={`rounded px-4 py-2 text-sm font-medium disabled:opacity-60 ${colors}`}>
      {children}
    </button>
  );
}
