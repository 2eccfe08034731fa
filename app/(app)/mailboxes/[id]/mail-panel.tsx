import Link from "next/link";
import type { Translate } from "@/lib/i18n/translate";
import type { SyncProgress } from "@/lib/sync/get-sync-progress";
import { when } from "../mailbox-text";
import { SyncNowButton } from "./sync-now-button";

const link = "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50";

/** The mailbox's mail: received and sent lists, writing, and the incoming sync's state. */
export function MailPanel({
  mailboxId,
  progress,
  canSend,
  canSync,
  t,
  locale,
  timeZone,
}: {
  mailboxId: string;
  progress: SyncProgress;
  canSend: boolean;
  canSync: boolean;
  t: Translate;
  locale: string;
  timeZone?: string;
}) {
  const phase = t(`sync.phase.${progress.phase}`, { done: progress.done.toLocaleString(), total: progress.total.toLocaleString() });
  const push = progress.push;
  return (
    <section aria-labelledby="mail" className="rounded bg-white p-4 shadow-sm">
      <h2 id="mail" className="mb-3 text-lg font-semibold">{t("sync.title")}</h2>
      <div className="mb-3 flex flex-wrap gap-2">
        <Link href={`/mail/${mailboxId}`} className={link}>{t("sync.openMail")}</Link>
        <Link href={`/sent/${mailboxId}`} className={link}>{t("sync.sent")}</Link>
        {canSend ? <Link href={`/compose/${mailboxId}`} className={link}>{t("sync.newEmail")}</Link> : null}
      </div>
      <p className="text-sm" data-testid="sync-progress">
        {progress.syncing ? `${t("sync.syncing")} ` : ""}
        {phase}
        {progress.consecutiveFailures > 0 ? ` — ${t("sync.failures", { count: progress.consecutiveFailures })}` : ""}
      </p>
      {push ? (
        <p className="text-sm text-slate-700" data-testid="push-status" data-push={push.kind === "connected" ? "connected" : push.reason}>
          {push.kind === "connected"
            ? t(push.noop ? "sync.push.connectedNoop" : "sync.push.connected", { since: when(t, locale, push.since, timeZone) })
            : t(`sync.push.polls.${push.reason}`)}
        </p>
      ) : null}
      {canSync ? (
        <div className="mt-3">
          <SyncNowButton mailboxId={mailboxId} label={t("sync.syncNow")} />
        </div>
      ) : null}
    </section>
  );
}
