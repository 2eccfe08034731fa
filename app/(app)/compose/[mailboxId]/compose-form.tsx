"use client";
import { useActionState, useEffect, useState } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { formatBytes } from "@/lib/outbox/outbox-limits";
import { initialActionState, type ActionState } from "@/lib/server/action-state";

export type ComposeInitial = {
  mailboxId: string;
  replyTo: string;
  forward: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
};

type Labels = Record<
  "to" | "cc" | "bcc" | "addressHelp" | "subject" | "body" | "attachments" | "attachmentsHelp" | "forwarded" | "send" | "sendAnyway",
  string
> & {
  /** With {total} left in, filled here with the chosen files' size. */
  tooLarge: string;
};

/**
 * The New email form. Field errors come back from the server beside each field;
 * the attachments' total is also checked here as files are chosen, so a person
 * hears about the limit before uploading.
 */
export function ComposeForm({
  action: serverAction,
  initial,
  forwardAttachments,
  maxBytes,
  labels,
}: {
  action: (prev: ActionState, fd: FormData) => Promise<ActionState>;
  initial: ComposeInitial;
  forwardAttachments: Array<{ position: number; filename: string; sizeBytes: number; sizeLabel: string }>;
  maxBytes: number;
  labels: Labels;
}) {
  const [state, action] = useActionState(serverAction, initialActionState);
  const [uploadBytes, setUploadBytes] = useState(0);
  // React resets the form (and its file input) after each submission.
  useEffect(() => setUploadBytes(0), [state]);
  const [forwardPicked, setForwardPicked] = useState<Set<number>>(() => new Set(forwardAttachments.map((a) => a.position)));
  const v = { ...initial, ...(state.values ?? {}) };
  const fe = state.fieldErrors ?? {};
  const total = uploadBytes + forwardAttachments.filter((a) => forwardPicked.has(a.position)).reduce((n, a) => n + a.sizeBytes, 0);
  const tooLarge = total > maxBytes;
  const attachmentErrors = tooLarge ? [labels.tooLarge.replace("{total}", formatBytes(total))] : fe.attachments ?? fe.forwardAttachments;
  return (
    <form
      action={action}
      className="flex max-w-3xl flex-col gap-4"
      noValidate
      onSubmit={(e) => {
        if (tooLarge) e.preventDefault();
      }}
    >
      <FormStatus state={state} />
      <input type="hidden" name="mailboxId" value={initial.mailboxId} />
      {initial.replyTo ? <input type="hidden" name="replyTo" value={initial.replyTo} /> : null}
      {initial.forward ? <input type="hidden" name="forward" value={initial.forward} /> : null}
      {(["to", "cc", "bcc"] as const).map((name) => (
        <Field key={name} name={name} label={labels[name]} help={labels.addressHelp} errors={fe[name]}>
          <input {...describedBy(name, fe[name], labels.addressHelp)} type="text" autoComplete="off" defaultValue={v[name]} key={`${name}${v[name]}`} className={inputClass} />
        </Field>
      ))}
      <Field name="subject" label={labels.subject} errors={fe.subject}>
        <input {...describedBy("subject", fe.subject)} type="text" defaultValue={v.subject} key={`s${v.subject}`} className={inputClass} />
      </Field>
      <Field name="body" label={labels.body} errors={fe.body}>
        <textarea {...describedBy("body", fe.body)} rows={14} defaultValue={v.body} key={`b${v.body.length}`} className={`${inputClass} font-mono`} />
      </Field>
      {forwardAttachments.length > 0 ? (
        <fieldset className="flex flex-col gap-1">
          <legend className="text-sm font-medium text-slate-700">{labels.forwarded}</legend>
          {forwardAttachments.map((a) => (
            <label key={a.position} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="forwardAttachments"
                value={a.position}
                checked={forwardPicked.has(a.position)}
                onChange={(e) => {
                  const next = new Set(forwardPicked);
                  if (e.target.checked) next.add(a.position);
                  else next.delete(a.position);
                  setForwardPicked(next);
                }}
              />
              📎 {a.filename} <span className="text-slate-500">({a.sizeLabel})</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <Field name="attachments" label={labels.attachments} errors={attachmentErrors}>
        <input
          {...describedBy("attachments", attachmentErrors, labels.attachmentsHelp)}
          type="file"
          multiple
          onChange={(e) => setUploadBytes([...(e.target.files ?? [])].reduce((n, f) => n + f.size, 0))}
          className="text-sm"
        />
      </Field>
      <p id="attachments-help" className="-mt-3 text-sm text-slate-500">
        {labels.attachmentsHelp}
      </p>
      {fe.sendAnyway ? (
        // The server found recipients whose mail bounced recently (named beside their fields): sending needs a tick.
        <Field name="sendAnyway" label={labels.sendAnyway} errors={fe.sendAnyway}>
          <input {...describedBy("sendAnyway", fe.sendAnyway)} type="checkbox" value="1" className="h-4 w-4" />
        </Field>
      ) : null}
      <div>
        <SubmitButton>{labels.send}</SubmitButton>
      </div>
    </form>
  );
}
