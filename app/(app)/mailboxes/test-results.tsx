"use client";
import { JobProgress } from "@/components/job-progress";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import type { TestAndEnableOutcome } from "@/lib/mailboxes/test-and-enable-mailboxes";
import { renderMessage } from "@/lib/i18n/message";
import { fieldLabelKey } from "@/lib/i18n/field-label";

const tone = { success: "border-green-200 bg-green-50", failure: "border-red-200 bg-red-50", waiting_approval: "border-amber-200 bg-amber-50", nothing_to_test: "border-slate-200 bg-slate-50" };

/** What a test & enable did: each mailbox's outcome with the cause and field per direction, or the job's live progress. */
export function TestResults({ test, locale }: { test: TestAndEnableOutcome; locale: Locale }) {
  const t = translator(locale);
  // The field at fault, by the label its form shows (the mailbox's or the profile's).
  const labelOf = (field: string, form: "mailbox" | "profile" | null) => {
    const key = fieldLabelKey(field, [form === "mailbox" ? "mailboxes.field" : "profiles.field"]);
    return key ? t(key) : field;
  };
  if (test.kind === "job") return <JobProgress jobId={test.jobId} locale={locale} />;
  return (
    <section aria-label={t("mailboxes.test.title")} className="flex flex-col gap-2" data-testid="test-results">
      <h2 className="text-lg font-semibold">{t("mailboxes.test.title")}</h2>
      <ul className="flex flex-col gap-2">
        {test.results.map((r) => (
          <li key={r.mailboxId} data-test-result={r.outcome} data-mailbox={r.emailAddress} className={`rounded border p-3 text-sm ${tone[r.outcome]}`}>
            <div className="font-medium">
              <a href={`/mailboxes/${r.mailboxId}`} className="text-blue-700 hover:underline">{r.mailboxName}</a> ({r.emailAddress}) — {t(`mailboxes.test.outcome.${r.outcome}`)}
            </div>
            {r.outcome === "success" || r.outcome === "failure" ? (
              <ul className="mt-1 flex flex-col gap-1">
                {(["incoming", "outgoing"] as const).map((d) =>
                  r[d].status === "not_run" ? null : (
                    <li key={d} data-direction={d} data-status={r[d].status}>
                      <strong>{t(`mailboxes.test.${d}`)}:</strong> {t(`mailboxes.status.${r[d].status}`)}
                      {r[d].status === "failure" || r[d].status === "retrying" ? (
                        <>
                          {" — "}
                          {renderMessage(t, r[d].message)}
                          {r[d].field ? <span className="ml-1 text-slate-600">({t("mailboxes.test.field", { field: labelOf(r[d].field!, r[d].form) })})</span> : null}
                        </>
                      ) : null}
                    </li>
                  ),
                )}
              </ul>
            ) : (
              <p className="mt-1">{renderMessage(t, r.summary)}</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
