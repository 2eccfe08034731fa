"use client";
import { useActionState } from "react";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { reparseEmailAction } from "./actions";

/** "Parse again" for one quarantined message, with its outcome beside it. */
export function ReparseButton({ mailboxId, emailId, label }: { mailboxId: string; emailId: number; label: string }) {
  const [state, action] = useActionState(reparseEmailAction, initialActionState);
  return (
    <form action={action} className="flex flex-col gap-1">
      <input type="hidden" name="mailboxId" value={mailboxId} />
      <input type="hidden" name="emailId" value={emailId} />
      <div>
        <SubmitButton variant="secondary">{label}</SubmitButton>
      </div>
      {state.formError ? (
        <p role="alert" data-reparse-status="error" className="text-xs text-red-800">{state.formError}</p>
      ) : state.message ? (
        <p role="status" data-reparse-status="done" className="text-xs text-slate-700">{state.message}</p>
      ) : null}
    </form>
  );
}
