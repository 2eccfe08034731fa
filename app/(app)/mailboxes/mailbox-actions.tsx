"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { selectionAction } from "./actions";
import { TestResults } from "./test-results";
import { initialTestState } from "./test-state";

const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";

/** The mailbox page's test & enable and approve buttons, with the outcome below them. */
export function MailboxActions({ id, locale, can }: { id: string; locale: Locale; can: { test: boolean; approve: boolean } }) {
  const t = translator(locale);
  const [state, dispatch, pending] = useActionState(selectionAction, initialTestState);
  return (
    <form action={dispatch} className="flex flex-col gap-3" aria-label={t("mailboxes.actions")}>
      <input type="hidden" name="ids" value={id} />
      <div className="flex flex-wrap gap-2">
        {can.test ? (
          <button type="submit" name="op" value="test" disabled={pending} aria-busy={pending} className={button}>
            {t("mailboxes.action.testEnable")}
          </button>
        ) : null}
        {can.approve ? (
          <button type="submit" name="op" value="approve" disabled={pending} aria-busy={pending} className={button}>
            {t("mailboxes.action.approve")}
          </button>
        ) : null}
      </div>
      <FormStatus state={state} />
      {state.test ? <TestResults test={state.test} locale={locale} /> : null}
    </form>
  );
}
