"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { createIngestTokenAction, revokeIngestTokenAction } from "./ingest-actions";

type Labels = { create: string; replace: string; revoke: string; shownOnce: string };

/** Create / replace / revoke the ingest token; a new token is shown here once (it is not stored readable). */
export function IngestTokenPanel({ mailboxId, hasToken, labels }: { mailboxId: string; hasToken: boolean; labels: Labels }) {
  const [created, create] = useActionState(createIngestTokenAction, initialActionState);
  const [revoked, revoke] = useActionState(revokeIngestTokenAction, initialActionState);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex gap-2">
        <form action={create}>
          <input type="hidden" name="mailboxId" value={mailboxId} />
          <SubmitButton variant="secondary">{hasToken ? labels.replace : labels.create}</SubmitButton>
        </form>
        {hasToken ? (
          <form action={revoke}>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <SubmitButton variant="secondary">{labels.revoke}</SubmitButton>
          </form>
        ) : null}
      </div>
      {created.ok && created.message ? (
        <div role="status" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <p>{labels.shownOnce}</p>
          <code data-testid="ingest-token" className="mt-1 block break-all font-mono">{created.message}</code>
        </div>
      ) : (
        <FormStatus state={created} />
      )}
      <FormStatus state={revoked} />
    </div>
  );
}
