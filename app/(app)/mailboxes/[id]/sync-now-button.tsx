"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { syncNowAction } from "./sync-actions";

export function SyncNowButton({ mailboxId, label }: { mailboxId: string; label: string }) {
  const [state, action] = useActionState(syncNowAction, initialActionState);
  return (
    <form action={action} className="flex flex-col gap-2">
      <input type="hidden" name="mailboxId" value={mailboxId} />
      <div>
        <SubmitButton variant="secondary">{label}</SubmitButton>
      </div>
      <FormStatus state={state} />
    </form>
  );
}
