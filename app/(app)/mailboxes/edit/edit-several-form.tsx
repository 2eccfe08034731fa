"use client";
import { useActionState } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { initialActionState } from "@/lib/server/action-state";
import { updateMailboxesAction } from "../actions";
import { deliveryOptions } from "../mailbox-text";

/** The multi-record form: profile and delivery methods, each "keep" unless chosen. */
export function EditSeveralForm({ ids, profiles, locale }: { ids: string[]; profiles: { id: string; name: string }[]; locale: Locale }) {
  const t = translator(locale);
  const [state, action] = useActionState(updateMailboxesAction, initialActionState);
  const fe = state.fieldErrors ?? {};
  const v = state.values ?? {};
  const delivery = (name: "incomingDelivery" | "outgoingDelivery" | "actDelivery", label: string) => (
    <Field name={name} label={label} errors={fe[name]}>
      <select {...describedBy(name, fe[name])} defaultValue={v[name] ?? ""} key={`${name}${v[name] ?? ""}`} className={inputClass}>
        <option value="">{t("mailboxes.keep")}</option>
        {deliveryOptions.map((d) => (
          <option key={d} value={d}>{t(`mailboxes.delivery.${d}`)}</option>
        ))}
      </select>
    </Field>
  );
  return (
    <form action={action} className="flex max-w-xl flex-col gap-4" noValidate aria-label={t("mailboxes.editSeveral", { count: ids.length })}>
      <FormStatus state={state} />
      {ids.map((id) => (
        <input key={id} type="hidden" name="ids" value={id} />
      ))}
      <Field name="profileId" label={t("mailboxes.field.profile")} errors={fe.profileId}>
        <select {...describedBy("profileId", fe.profileId)} defaultValue={v.profileId ?? ""} key={`p${v.profileId ?? ""}`} className={inputClass}>
          <option value="">{t("mailboxes.keep")}</option>
          <option value="none">{t("mailboxes.field.noProfile")}</option>
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>{p.name}</option>
          ))}
        </select>
      </Field>
      {delivery("incomingDelivery", t("mailboxes.field.incomingDelivery"))}
      {delivery("outgoingDelivery", t("mailboxes.field.outgoingDelivery"))}
      {delivery("actDelivery", t("mailboxes.field.actDelivery"))}
      <div>
        <SubmitButton>{t("common.save")}</SubmitButton>
      </div>
    </form>
  );
}
