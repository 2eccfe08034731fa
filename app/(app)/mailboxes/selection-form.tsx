"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { selectionAction } from "./actions";
import { TestResults } from "./test-results";
import { initialTestState } from "./test-state";

const button = "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-60";

/** The id of the selection form: the table's checkboxes join it with form="…". */
export const SELECTION_FORM_ID = "mailbox-selection";

/**
 * The mailbox list's multi-select, as a small client island: only the toolbar and the
 * outcome live here. The table stays server-rendered outside it, its checkboxes named
 * "ids" tied to this form by their `form` attribute, so the rows are not props of a
 * client component. Apply defaults and edit open their pages with the selection (GET);
 * test & enable and approve run here and show their outcome above the table.
 */
export function SelectionForm({ locale, can }: { locale: Locale; can: { write: boolean; test: boolean; approve: boolean } }) {
  const t = translator(locale);
  const [state, dispatch, pending] = useActionState(selectionAction, initialTestState);
  const selectAll = (on: boolean) =>
    document.querySelectorAll<HTMLInputElement>(`input[type=checkbox][name="ids"][form="${SELECTION_FORM_ID}"]`).forEach((box) => (box.checked = on));
  return (
    <form id={SELECTION_FORM_ID} method="get" action="/mailboxes/apply-defaults" className="flex flex-col gap-3" aria-label={t("mailboxes.select")}>
      <div className="flex flex-wrap items-center gap-2" role="toolbar">
        <label className="mr-2 flex items-center gap-2 text-sm">
          <input type="checkbox" onChange={(e) => selectAll(e.currentTarget.checked)} /> {t("mailboxes.selectAll")}
        </label>
        {can.write ? (
          <>
            <button type="submit" className={button}>{t("mailboxes.action.applyDefaults")}</button>
            <button type="submit" formAction="/mailboxes/edit" className={button}>{t("mailboxes.action.editSelected")}</button>
          </>
        ) : null}
        {can.test ? (
          <button type="submit" name="op" value="test" formAction={dispatch} disabled={pending} aria-busy={pending} className={button}>
            {t("mailboxes.action.testEnable")}
          </button>
        ) : null}
        {can.approve ? (
          <button type="submit" name="op" value="approve" formAction={dispatch} disabled={pending} aria-busy={pending} className={button}>
            {t("mailboxes.action.approve")}
          </button>
        ) : null}
      </div>
      <FormStatus state={state} />
      {state.test ? <TestResults test={state.test} locale={locale} /> : null}
    </form>
  );
}
