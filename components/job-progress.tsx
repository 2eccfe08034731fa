"use client";
import { useEffect, useState } from "react";
import type { JobProgress as Progress } from "@/lib/jobs/job-progress-view";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { renderStored } from "@/lib/i18n/message";

type Props = {
  jobId: string;
  /** The progress read by the page (getJobProgress / findLatestProfileJob); polling takes over from it. */
  initial?: Progress | null;
  /** The request's locale (getLocale()), for the labels. */
  locale: Locale;
  /** How often to ask while the job runs. Default 1000 ms. */
  pollMs?: number;
};

type Item = Progress["items"][number];

/**
 * Live progress of a background "test & enable" job: n of N, successes, failures
 * and each mailbox's outcome. Polls /mailboxes/jobs/<id>/progress (which checks
 * mailbox:test on the server) until the job is finished.
 */
export function JobProgress({ jobId, initial = null, locale, pollMs = 1000 }: Props) {
  const t = translator(locale);
  const [p, setP] = useState<Progress | null>(initial);
  const [failed, setFailed] = useState(false);
  const finished = p?.status === "done" || p?.status === "failed";
  useEffect(() => {
    if (finished) return;
    let stop = false;
    const tick = async () => {
      try {
        const res = await fetch(`/mailboxes/jobs/${jobId}/progress`, { cache: "no-store" });
        if (!res.ok) throw new Error(String(res.status));
        if (!stop) setP(await res.json());
        setFailed(false);
      } catch {
        if (!stop) setFailed(true);
      }
    };
    const timer = setInterval(tick, pollMs);
    void tick();
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [jobId, pollMs, finished]);

  if (!p) return <p className="text-sm text-slate-500">{failed ? t("common.genericError") : t("job.status.queued")}</p>;
  const percent = p.total ? Math.round((p.done / p.total) * 100) : 100;
  return (
    <div data-testid="job-progress" data-job-status={p.status} className="flex flex-col gap-2 rounded border border-slate-200 bg-white p-4 text-sm">
      <div className="flex flex-wrap items-center gap-4">
        <strong data-testid="job-progress-count">{t("job.progress", { done: p.done, total: p.total })}</strong>
        <span className="text-green-800">{t("job.succeeded", { count: p.succeeded })}</span>
        <span className="text-red-800">{t("job.failed", { count: p.failed })}</span>
        <span className="text-slate-600">{t(`job.status.${p.status}`)}</span>
      </div>
      <div className="h-2 w-full overflow-hidden rounded bg-slate-200" role="progressbar" aria-valuemin={0} aria-valuemax={p.total} aria-valuenow={p.done}>
        <div className="h-full bg-blue-600" style={{ width: `${percent}%` }} />
      </div>
      <table className="w-full border-collapse text-left">
        <thead className="bg-slate-100">
          <tr>
            <th className="px-2 py-1">{t("job.mailbox")}</th>
            <th className="px-2 py-1">{t("job.outcome")}</th>
            <th className="px-2 py-1">{t("job.message")}</th>
          </tr>
        </thead>
        <tbody>
          {p.items.map((i: Item) => (
            <tr key={i.mailboxId} className="border-t border-slate-200" data-job-item={i.outcome ?? "pending"}>
              <td className="px-2 py-1">
                <a href={`/mailboxes/${i.mailboxId}`} className="text-blue-700 hover:underline">{i.mailboxName}</a>
                <div className="text-xs text-slate-500">{i.emailAddress}</div>
              </td>
              <td className="px-2 py-1">{t(`job.outcome.${i.outcome ?? "pending"}`)}</td>
              <td className="px-2 py-1 text-slate-700">{renderStored(t, i.message)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
