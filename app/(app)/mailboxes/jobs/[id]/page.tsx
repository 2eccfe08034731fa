import { notFound } from "next/navigation";
import Link from "next/link";
import { JobProgress } from "@/components/job-progress";
import { AppError } from "@/lib/errors";
import { getJobProgress } from "@/lib/jobs/get-job-progress";
import { getDb } from "@/lib/server/db";
import { getLocale, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor("mailbox:test");
  const [t, locale, { id }] = await Promise.all([getT(), getLocale(), params]);
  const progress = await getJobProgress(getDb(), actor, id).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  return (
    <section className="flex flex-col gap-4">
      <Link href="/mailboxes" className="text-sm text-blue-700 hover:underline">{t("mailboxes.backToList")}</Link>
      <h1 className="text-2xl font-semibold">{t("job.title")}</h1>
      <JobProgress jobId={progress.id} initial={progress} locale={locale} />
    </section>
  );
}
