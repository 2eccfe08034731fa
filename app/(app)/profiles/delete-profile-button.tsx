"use client";
import { useActionState, useState } from "react";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { deleteProfileAction } from "./actions";

/** Delete with a confirmation step; a refusal (mailboxes still use the profile) is shown above. */
export function DeleteProfileButton({ id, text }: { id: string; text: { delete: string; confirm: string; yes: string; cancel: string } }) {
  const [state, action] = useActionState(deleteProfileAction, initialActionState);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="flex flex-col gap-2">
      <FormStatus state={state} />
      {confirming ? (
        <form action={action} className="flex flex-wrap items-center gap-3 rounded border border-red-200 bg-red-50 p-3" role="group" aria-label={text.delete}>
          <input type="hidden" name="id" value={id} />
          <p className="text-sm text-red-900">{text.confirm}</p>
          <SubmitButton variant="danger">{text.yes}</SubmitButton>
          <button type="button" onClick={() => setConfirming(false)} className="rounded border border-slate-300 bg-white px-4 py-2 text-sm">
            {text.cancel}
          </button>
        </form>
      ) : (
        <div>
          <button type="button" onClick={() => setConfirming(true)} className="rounded border border-red-300 bg-white px-4 py-2 text-sm font-medium text-red-800 hover:bg-red-50">
            {text.delete}
          </button>
        </div>
      )}
    </div>
  );
}
