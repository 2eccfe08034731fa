"use client";
import { useActionState } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { pickerDescribedBy } from "@/components/form/picker-described-by";
import { SearchPicker, type PickerChoice } from "@/components/form/search-picker";
import { SubmitButton } from "@/components/form/submit-button";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { initialActionState, type ActionState } from "@/lib/server/action-state";
import { searchOwnersAction, searchProfilesAction } from "../picker-actions";
import { deliveryOptions } from "./mailbox-text";

export type MailboxFormInitial = {
  id?: string;
  kind: "user" | "queue";
  name: string;
  emailAddress: string;
  ownerId: string;
  profileId: string;
  incomingDelivery: string;
  outgoingDelivery: string;
  actDelivery: string;
};

/**
 * Create a queue (name, address, owner) or edit a mailbox (also its profile and
 * incoming / outgoing / ACT delivery). Field errors appear beside their fields.
 */
export function MailboxForm({
  action: serverAction,
  initial,
  owner,
  profile,
  canPickProfile = false,
  locale,
  creating = false,
}: {
  action: (prev: ActionState, fd: FormData) => Promise<ActionState>;
  initial: MailboxFormInitial;
  /** The current choices as the pickers show them (the pickers ask the server for others). */
  owner: PickerChoice | null;
  profile: PickerChoice | null;
  /** profile:read: the profile is a searchable picker; else only the current one is shown. */
  canPickProfile?: boolean;
  locale: Locale;
  creating?: boolean;
}) {
  const t = translator(locale);
  const [state, action] = useActionState(serverAction, initialActionState);
  const v = { ...initial, ...(state.values ?? {}) } as MailboxFormInitial;
  const fe = state.fieldErrors ?? {};
  const delivery = (name: "incomingDelivery" | "outgoingDelivery" | "actDelivery", label: string, help?: string) => (
    <Field name={name} label={label} help={help} errors={fe[name]}>
      <select {...describedBy(name, fe[name], help)} defaultValue={v[name]} key={`${name}${v[name]}`} className={inputClass}>
        {deliveryOptions.map((d) => (
          <option key={d} value={d}>{t(`mailboxes.delivery.${d}`)}</option>
        ))}
      </select>
    </Field>
  );
  return (
    <form action={action} className="flex max-w-xl flex-col gap-4" noValidate aria-label={creating ? t("mailboxes.newQueueTitle") : t("mailboxes.edit")}>
      <FormStatus state={state} />
      {initial.id ? <input type="hidden" name="id" value={initial.id} /> : null}
      <Field name="name" label={t("mailboxes.field.name")} errors={fe.name}>
        <input {...describedBy("name", fe.name)} defaultValue={v.name} key={`n${v.name}`} className={inputClass} />
      </Field>
      <Field name="emailAddress" label={t("mailboxes.field.emailAddress")} help={creating ? undefined : t("mailboxes.field.emailHelp")} errors={fe.emailAddress}>
        <input {...describedBy("emailAddress", fe.emailAddress, creating ? undefined : t("mailboxes.field.emailHelp"))} type="email" defaultValue={v.emailAddress} key={`e${v.emailAddress}`} className={inputClass} />
      </Field>
      {initial.kind === "queue" ? (
        <Field name="ownerId" label={t("mailboxes.field.owner")} help={t("mailboxes.field.ownerHelp")} errors={fe.ownerId}>
          <SearchPicker
            name="ownerId"
            initial={owner}
            search={searchOwnersAction}
            placeholder={t("common.picker.searchUsers")}
            noneLabel="—"
            noMatches={t("common.picker.noMatches")}
            {...pickerDescribedBy("ownerId", fe.ownerId, t("mailboxes.field.ownerHelp"))}
          />
        </Field>
      ) : null}
      {creating ? null : (
        <>
          <Field name="profileId" label={t("mailboxes.field.profile")} errors={fe.profileId}>
            {canPickProfile ? (
              <SearchPicker
                name="profileId"
                initial={profile}
                search={searchProfilesAction}
                placeholder={t("common.picker.searchProfiles")}
                noneLabel={t("mailboxes.field.noProfile")}
                noMatches={t("common.picker.noMatches")}
                {...pickerDescribedBy("profileId", fe.profileId)}
              />
            ) : (
              // No profile:read: the current choice only (the server keeps it as it is).
              <select {...describedBy("profileId", fe.profileId)} defaultValue={v.profileId} key={`p${v.profileId}`} className={inputClass}>
                <option value={v.profileId}>{profile?.label ?? t("mailboxes.field.noProfile")}</option>
              </select>
            )}
          </Field>
          {delivery("incomingDelivery", t("mailboxes.field.incomingDelivery"))}
          {delivery("outgoingDelivery", t("mailboxes.field.outgoingDelivery"))}
          {delivery("actDelivery", t("mailboxes.field.actDelivery"), t("mailboxes.field.actHelp"))}
        </>
      )}
      <div>
        <SubmitButton>{creating ? t("common.create") : t("common.save")}</SubmitButton>
      </div>
    </form>
  );
}
