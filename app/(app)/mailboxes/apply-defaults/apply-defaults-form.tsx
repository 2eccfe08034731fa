"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { applyDefaultsAction } from "../actions";
import { TestResults } from "../test-results";
import { initialTestState } from "../test-state";

/** OK applies the defaults; "test and enable" is ticked by default, as in the guide. */
export function ApplyDefaultsForm({ ids, locale }: { ids: string[]; locale: Locale }) {
  const t = translator(locale);
  const [state, action] = useActionState(applyDefaultsAction, initialTestState);
  return (
    <form action={action} className="flex flex-col gap-3" aria-label={t("mailboxes.applyTitle")}>
      {ids.map((id) => (
        <input key={id} type="hidden" name="ids" value={id} />
      ))}
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="testAndEnable" defaultChecked /> {t("mailboxes.applyTestAfter")}
      </label>
      <div>
        <SubmitButton>{t("mailboxes.applyOk")}</SubmitButton>
      </div>
      <FormStatus state={state} />
      {state.test ? <TestResults test={state.test} locale={locale} /> : null}
    </form>
  );
}
