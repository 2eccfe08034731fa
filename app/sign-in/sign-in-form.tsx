"use client";
import { useActionState } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState } from "@/lib/server/action-state";
import { signInAction } from "./actions";

export function SignInForm({ labels }: { labels: { email: string; password: string; submit: string } }) {
  const [state, action] = useActionState(signInAction, initialActionState);
  const v = state.values ?? {};
  return (
    <form action={action} className="flex flex-col gap-4">
      <FormStatus state={state} />
      <Field name="email" label={labels.email}>
        <input {...describedBy("email")} type="email" autoComplete="username" required defaultValue={v.email} key={v.email} className={inputClass} />
      </Field>
      <Field name="password" label={labels.password}>
        <input {...describedBy("password")} type="password" autoComplete="current-password" required className={inputClass} />
      </Field>
      <SubmitButton>{labels.submit}</SubmitButton>
    </form>
  );
}
