"use client";
import { useActionState } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState, type ActionState } from "@/lib/server/action-state";

type Labels = Record<"email" | "name" | "password" | "passwordHelp" | "role" | "active" | "submit", string>;
type Initial = { id?: string; email: string; name: string; role: string; active: boolean };

/** Create or edit a user. On edit the email is fixed and a blank password keeps the current one. */
export function UserForm({
  action: serverAction,
  initial,
  roles,
  labels,
}: {
  action: (prev: ActionState, fd: FormData) => Promise<ActionState>;
  initial: Initial;
  roles: { value: string; label: string }[];
  labels: Labels;
}) {
  const [state, action] = useActionState(serverAction, initialActionState);
  const v = { ...initial, ...(state.values ?? {}) };
  const fe = state.fieldErrors ?? {};
  const editing = !!initial.id;
  return (
    <form action={action} className="flex max-w-md flex-col gap-4" noValidate>
      <FormStatus state={state} />
      {editing ? <input type="hidden" name="id" value={initial.id} /> : null}
      <Field name="email" label={labels.email} errors={fe.email}>
        <input {...describedBy("email", fe.email)} type="email" defaultValue={v.email} key={`e${v.email}`} readOnly={editing} className={inputClass} />
      </Field>
      <Field name="name" label={labels.name} errors={fe.name}>
        <input {...describedBy("name", fe.name)} defaultValue={v.name} key={`n${v.name}`} className={inputClass} />
      </Field>
      <Field name="role" label={labels.role} errors={fe.role}>
        <select {...describedBy("role", fe.role)} defaultValue={String(v.role)} key={`r${v.role}`} className={inputClass}>
          {roles.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </Field>
      {editing ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="active" defaultChecked={initial.active} /> {labels.active}
        </label>
      ) : null}
      <Field name="password" label={labels.password} help={labels.passwordHelp} errors={fe.password}>
        <input {...describedBy("password", fe.password, labels.passwordHelp)} type="password" autoComplete="new-password" className={inputClass} />
      </Field>
      <SubmitButton>{labels.submit}</SubmitButton>
    </form>
  );
}
