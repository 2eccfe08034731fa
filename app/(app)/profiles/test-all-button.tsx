"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { testAllMailboxesAction } from "./actions";

/** Queues "test & enable all mailboxes of this profile"; the page shows the job's progress below. */
export function TestAllButton({ profileId, label }: { profileId: string; label: string }) {
  const [state, action] = useActionState(testAllMailboxesAction, initialActionState);
  return (
    <form action={action} className="flex flex-col gap-2">
      <input type="hidden" name="profileId" value={profileId} />
      <FormStatus state={state} />
      <div>
        <SubmitButton variant="secondary">{label}</SubmitButton>
      </div>
    </form>
  );
}
