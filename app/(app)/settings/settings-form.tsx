"use client";
import { useActionState, useState } from "react";
import { CheckboxField } from "@/components/form/checkbox-field";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import { initialActionState, type ActionState } from "@/lib/server/action-state";
import { deliveryMethods, type DeliveryMethod } from "@/lib/settings/org-settings-view";

export type SettingsFormInitial = {
  defaultProfileId: string;
  incomingDelivery: DeliveryMethod;
  outgoingDelivery: DeliveryMethod;
  actDelivery: DeliveryMethod;
  processOnlyApproved: boolean;
  threadBySubject: boolean;
};

type Text = {
  labels: Record<keyof SettingsFormInitial, string>;
  help: Record<keyof SettingsFormInitial, string>;
  delivery: Record<DeliveryMethod, string>;
  noProfile: string;
  syncMethods: string;
  submit: string;
  fixFields: string;
};

/**
 * The organisation's email settings. Choosing server-side sync for appointments,
 * contacts and tasks shows at once why it is refused (`actRefusals`, per default
 * profile, "" for none); the server refuses it as well.
 */
export function SettingsForm({
  action: serverAction,
  initial,
  profiles,
  actRefusals,
  text,
}: {
  action: (prev: ActionState, fd: FormData) => Promise<ActionState>;
  initial: SettingsFormInitial;
  profiles: { id: string; name: string }[];
  actRefusals: Record<string, string>;
  text: Text;
}) {
  const [state, action] = useActionState(serverAction, initialActionState);
  const fe = state.fieldErrors ?? {};
  // React 19 resets the form after the action; the echoed values (or the saved ones) come back as defaults.
  const v = { ...initial, ...(state.values ?? {}) };
  const [profileId, setProfileId] = useState(initial.defaultProfileId);
  const [act, setAct] = useState<string>(initial.actDelivery);
  const refusal = act === "server_side_sync" ? actRefusals[profileId] : null;
  // After a save the form remounts with what was submitted.
  const key = JSON.stringify(state.values ?? {});

  const delivery = (field: "incomingDelivery" | "outgoingDelivery" | "actDelivery", onChange?: (value: string) => void) => (
    <Field name={field} label={text.labels[field]} help={text.help[field]} errors={fe[field]}>
      <select {...describedBy(field, fe[field], text.help[field])} defaultValue={String(v[field])} onChange={onChange ? (e) => onChange(e.target.value) : undefined} className={inputClass}>
        {deliveryMethods.map((m) => (
          <option key={m} value={m}>
            {text.delivery[m]}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <form action={action} key={key} className="flex max-w-xl flex-col gap-4" noValidate>
      <FormStatus state={state} />
      <Field name="defaultProfileId" label={text.labels.defaultProfileId} help={text.help.defaultProfileId} errors={fe.defaultProfileId}>
        <select
          {...describedBy("defaultProfileId", fe.defaultProfileId, text.help.defaultProfileId)}
          defaultValue={String(v.defaultProfileId)}
          onChange={(e) => setProfileId(e.target.value)}
          className={inputClass}
        >
          <option value="">{text.noProfile}</option>
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </Field>
      <fieldset className="flex flex-col gap-4 rounded border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-semibold">{text.syncMethods}</legend>
        {delivery("incomingDelivery")}
        {delivery("outgoingDelivery")}
        <div>
          {delivery("actDelivery", setAct)}
          {refusal && !fe.actDelivery?.length ? (
            <p data-testid="act-refusal-hint" className="mt-1 text-sm text-amber-800">
              {refusal}
            </p>
          ) : null}
        </div>
      </fieldset>
      <CheckboxField
        name="processOnlyApproved"
        label={text.labels.processOnlyApproved}
        help={text.help.processOnlyApproved}
        errors={fe.processOnlyApproved}
        defaultChecked={state.values ? state.values.processOnlyApproved === "on" : initial.processOnlyApproved}
      />
      <CheckboxField
        name="threadBySubject"
        label={text.labels.threadBySubject}
        help={text.help.threadBySubject}
        errors={fe.threadBySubject}
        defaultChecked={state.values ? state.values.threadBySubject === "on" : initial.threadBySubject}
      />
      <div>
        <SubmitButton>{text.submit}</SubmitButton>
      </div>
    </form>
  );
}
