"use client";
import { useActionState } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { initialActionState } from "@/lib/server/action-state";
import { setCredentialsAction } from "./actions";

/**
 * The mailbox's own user name and password. The password is write-only: the form
 * says whether one is set, never shows it, and a blank field keeps it. Over plain
 * HTTP (unless the deployment allows it) the fields are disabled, as on profiles.
 */
export function CredentialsForm({ id, userName, passwordSet, locked, lockedMessage, locale }: { id: string; userName: string; passwordSet: boolean; locked: boolean; lockedMessage: string; locale: Locale }) {
  const t = translator(locale);
  const [state, action] = useActionState(setCredentialsAction, initialActionState);
  const fe = state.fieldErrors ?? {};
  const v = state.values?.userName ?? userName;
  const passwordHelp = passwordSet ? t("mailboxes.passwordSet") : t("mailboxes.passwordNotSet");
  return (
    <form action={action} className="flex max-w-xl flex-col gap-4" noValidate aria-label={t("mailboxes.credentials")}>
      <FormStatus state={state} />
      {locked ? <p className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">{lockedMessage}</p> : null}
      <input type="hidden" name="id" value={id} />
      <Field name="userName" label={t("mailboxes.field.userName")} help={t("mailboxes.field.userNameHelp")} errors={fe.userName}>
        <input {...describedBy("userName", fe.userName, t("mailboxes.field.userNameHelp"))} defaultValue={v} key={`u${v}`} autoComplete="off" disabled={locked} className={inputClass} />
      </Field>
      <Field name="password" label={t("mailboxes.field.password")} help={passwordHelp} errors={fe.password}>
        <input {...describedBy("password", fe.password, passwordHelp)} type="password" autoComplete="new-password" disabled={locked} className={inputClass} />
      </Field>
      <p className="text-sm text-slate-600" data-testid="password-state">{passwordHelp}</p>
      {passwordSet ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="clearPassword" disabled={locked} /> {t("mailboxes.clearPassword")}
        </label>
      ) : null}
      <div>
        <SubmitButton>{t("common.save")}</SubmitButton>
      </div>
    </form>
  );
}
