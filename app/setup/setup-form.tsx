"use client";
import { useActionState } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { setupAction } from "./actions";

type Labels = { email: string; name: string; password: string; passwordHelp: string; submit: string };

export function SetupForm({ labels }: { labels: Labels }) {
  const [state, action] = useActionState(setupAction, initialActionState);
  const v = state.values ?? {};
  const fe = state.fieldErrors ?? {};
  return (
    <form action={action} className="flex flex-col gap-4" noValidate>
      <FormStatus state={state} />
      <Field name="email" label={labels.email} errors={fe.email}>
        <input {...describedBy("email", fe.email)} type="email" autoComplete="username" defaultValue={v.email} key={v.email} className={inputClass} />
      </Field>
      <Field name="name" label={labels.name} errors={fe.name}>
        <input {...describedBy("name", fe.name)} autoComplete="name" defaultValue={v.name} key={v.name} className={inputClass} />
      </Field>
      <Field name="password" label={labels.password} help={labels.passwordHelp} errors={fe.password}>
        <input {...describedBy("password", fe.password, labels.passwordHelp)} type="password" autoComplete="new-password" className={inputClass} />
      </Field>
      <SubmitButton>{labels.submit}</SubmitButton>
    </form>
  );
}
