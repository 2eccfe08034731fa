"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { signOutEverywhereAction } from "./actions";

/** Ends every session of the user (a lost laptop, a leaked password); they sign in again. */
export function SignOutEverywhereButton({ id, text }: { id: string; text: { title: string; help: string; submit: string } }) {
  const [state, action] = useActionState(signOutEverywhereAction, initialActionState);
  return (
    <form action={action} className="mt-8 flex max-w-md flex-col gap-2 border-t border-slate-200 pt-4" aria-label={text.title}>
      <h2 className="text-lg font-semibold">{text.title}</h2>
      <p className="text-sm text-slate-600">{text.help}</p>
      <FormStatus state={state} />
      <input type="hidden" name="id" value={id} />
      <div>
        <SubmitButton variant="danger">{text.submit}</SubmitButton>
      </div>
    </form>
  );
}
