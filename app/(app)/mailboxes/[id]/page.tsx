import Link from "next/link";
import { notFound } from "next/navigation";
import { listMailboxAlerts } from "@/lib/alerts/list-mailbox-alerts";
import { AppError } from "@/lib/errors";
import { getMailbox } from "@/lib/mailboxes/get-mailbox";
import { getUserChoice } from "@/lib/users/search-user-choices";
import { getProfileChoice } from "@/lib/profiles/search-profile-choices";
import { loadProfilePolicy } from "@/lib/profiles/load-profile-policy";
import { insecureChannelMessage } from "@/lib/profiles/profile-input";
import { can } from "@/lib/auth/actor";
import { getDb } from "@/lib/server/db";
import { getLocale, getT, getTimeZone } from "@/lib/server/locale";
import { isSecureChannel } from "@/lib/server/secure-channel";
import { requireActor } from "@/lib/server/session";
import { markAlertsReadAction } from "../../alerts/actions";
import { AlertList } from "../../alerts/alert-list";
import { updateMailboxAction } from "../actions";
import { CredentialsForm } from "../credentials-form";
import { MailboxActions } from "../mailbox-actions";
import { MailboxForm } from "../mailbox-form";
import { deliveryLabel, enabledLabel, statusLabel, statusTone, when } from "../mailbox-text";
import { getSyncProgress } from "@/lib/sync/get-sync-progress";
import { IngestTokenPanel } from "./ingest-token-panel";
import { FoldersPanel } from "./folders-panel";
import { listMailboxFolders } from "@/lib/mailboxes/list-mailbox-folders";
import { MailPanel } from "./mail-panel";
import { findOAuthConnection } from "@/lib/oauth/find-oauth-connection";
import { readOutcomeQuery } from "@/lib/oauth/sign-in-outcome";
import { OAuthOutcomeBanner, OAuthPanel } from "./oauth-panel";
import { renderMessage, renderStored, storedMessage } from "@/lib/i18n/message";

export default async function MailboxPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined> & { alertsPage?: string }> }) {
  const actor = await requireActor("mailbox:read-own");
  const [t, locale, { id }, sp, timeZone] = await Promise.all([getT(), getLocale(), params, searchParams, getTimeZone()]);
  const db = getDb();
  const m = await getMailbox(db, actor, { id }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const showFolders = m.allowed.write && m.profileIncomingProtocol === "imap";
  const [wall, progress, oauth, folders] = await Promise.all([
    listMailboxAlerts(db, actor, { mailboxId: m.id, page: typeof sp.alertsPage === "string" ? sp.alertsPage : undefined }),
    getSyncProgress(db, actor, { mailboxId: m.id }),
    findOAuthConnection(db, m),
    showFolders ? listMailboxFolders(db, m) : [],
  ]);
  const oauthOutcome = readOutcomeQuery(sp);
  // Writing and "sync now" are for the owner and those with mailbox:write; the server checks again.
  const ownsOrWrites = m.ownerId === actor.id || m.allowed.write;
  // The pickers' current choices; the pickers ask the server for the others (access-checked there).
  const canPickProfile = m.allowed.write && can(actor, "profile:read");
  const [ownerChoice, profileChoice] = m.allowed.write
    ? await Promise.all([m.kind === "queue" ? getUserChoice(db, actor, m.ownerId) : null, canPickProfile ? getProfileChoice(db, actor, m.profileId) : null])
    : [null, null];
  const locked = !(await isSecureChannel()) && !loadProfilePolicy().allowCredentialsOverHttp;
  const credentialsFrom =
    m.profileCredentialMode === "mailbox" ? t("mailboxes.credentialsFrom.mailbox") : m.profileCredentialMode === "profile" ? t("mailboxes.credentialsFrom.profile") : m.profileCredentialMode ? t("mailboxes.credentialsFrom.other") : t("mailboxes.none");
  const row = (label: string, value: React.ReactNode, testId?: string) => (
    <div className="grid grid-cols-3 gap-2 border-t border-slate-100 py-1.5">
      <dt className="text-slate-600">{label}</dt>
      <dd className="col-span-2" data-testid={testId}>{value}</dd>
    </div>
  );
  return (
    <section className="flex flex-col gap-6">
      <Link href="/mailboxes" className="text-sm text-blue-700 hover:underline">{t("mailboxes.backToList")}</Link>
      <div>
        <h1 className="text-2xl font-semibold">{m.name}</h1>
        <p className="text-slate-600">{m.emailAddress}</p>
      </div>
      {oauthOutcome ? <OAuthOutcomeBanner outcome={oauthOutcome} t={t} /> : null}
      {m.profileAllowsUnencrypted ? (
        <p role="alert" data-testid="unencrypted-warning" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">{t("profiles.warning.unencrypted")}</p>
      ) : null}
      {m.waitingForApproval ? (
        <p role="status" data-testid="waiting-for-approval" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">{t("mailboxes.waitingForApproval")}</p>
      ) : null}
      {m.allowed.test || m.allowed.approve ? <MailboxActions id={m.id} locale={locale} can={{ test: m.allowed.test, approve: m.allowed.approve && !m.approvedAt }} /> : null}

      {oauth ? <OAuthPanel mailboxId={m.id} address={m.emailAddress} view={oauth} canConnect={ownsOrWrites} t={t} locale={locale} timeZone={timeZone} /> : null}

      <MailPanel mailboxId={m.id} progress={progress} canSend={ownsOrWrites} canSync={ownsOrWrites && m.incomingDelivery === "server_side_sync" && m.incomingEnabled} t={t} locale={locale} timeZone={timeZone} />

      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="details" className="rounded bg-white p-4 shadow-sm">
          <h2 id="details" className="mb-2 text-lg font-semibold">{t("mailboxes.details")}</h2>
          <dl className="text-sm">
            {row(t("mailboxes.field.kind"), t(`mailboxes.kind.${m.kind}`))}
            {row(t("mailboxes.field.owner"), m.ownerName ?? t("mailboxes.none"))}
            {row(t("mailboxes.field.profile"), m.profileName ?? t("mailboxes.none"))}
            {row(t("mailboxes.field.credentialsFrom"), credentialsFrom)}
            {row(t("mailboxes.field.incomingDelivery"), deliveryLabel(t, m.incomingDelivery))}
            {row(t("mailboxes.field.outgoingDelivery"), deliveryLabel(t, m.outgoingDelivery))}
            {row(t("mailboxes.field.actDelivery"), deliveryLabel(t, m.actDelivery))}
            {row(
              t("mailboxes.col.approved"),
              m.approvedAt ? t("mailboxes.field.approvedBy", { name: m.approvedByName ?? "?", date: when(t, locale, m.approvedAt, timeZone) }) : t("mailboxes.approvedNo"),
              "approval",
            )}
            {row(t("mailboxes.field.incomingStatus"), <span className={statusTone[m.incomingStatus]}>{statusLabel(t, m.incomingStatus)}</span>, "incoming-status")}
            {row(t("mailboxes.field.outgoingStatus"), <span className={statusTone[m.outgoingStatus]}>{statusLabel(t, m.outgoingStatus)}</span>, "outgoing-status")}
            {row(t("mailboxes.field.actStatus"), <span className={statusTone[m.actStatus]}>{statusLabel(t, m.actStatus)}</span>, "act-status")}
            {row(t("mailboxes.col.enabled"), enabledLabel(t, m), "enabled")}
            {row(t("mailboxes.field.lastTested"), when(t, locale, m.lastTestedAt, timeZone))}
            {row(t("mailboxes.field.lastSync"), when(t, locale, m.lastSyncAt, timeZone))}
            {row(t("mailboxes.field.nextSync"), when(t, locale, m.nextSyncAt, timeZone))}
            {row(t("mailboxes.field.lastError"), renderStored(t, storedMessage(m.lastErrorKey, m.lastErrorParams, m.lastError)) || t("mailboxes.none"), "last-error")}
          </dl>
        </section>

        <section aria-labelledby="wall" className="flex flex-col gap-2">
          <div className="flex items-center justify-between">
            <h2 id="wall" className="text-lg font-semibold">{t("mailboxes.alertWall")}</h2>
            {wall.unread > 0 ? (
              <form action={markAlertsReadAction}>
                <input type="hidden" name="mailboxId" value={m.id} />
                <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50">{t("alerts.markAllRead")}</button>
              </form>
            ) : null}
          </div>
          <AlertList items={wall.items} t={t} locale={locale} timeZone={timeZone} showRecipient={can(actor, "alert:read-all")} showMailbox={false} />
          {wall.pageCount > 1 ? (
            <nav aria-label="pagination" className="flex gap-4 text-sm">
              {wall.page > 1 ? <Link href={`/mailboxes/${m.id}?alertsPage=${wall.page - 1}`} className="text-blue-700 hover:underline">{t("common.previous")}</Link> : null}
              <span>{t("common.pageOf", { page: wall.page, pages: wall.pageCount })}</span>
              {wall.page < wall.pageCount ? <Link href={`/mailboxes/${m.id}?alertsPage=${wall.page + 1}`} className="text-blue-700 hover:underline">{t("common.next")}</Link> : null}
            </nav>
          ) : null}
        </section>
      </div>

      {m.allowed.write ? (
        <section aria-labelledby="edit" className="rounded bg-white p-4 shadow-sm">
          <h2 id="edit" className="mb-2 text-lg font-semibold">{t("mailboxes.edit")}</h2>
          <MailboxForm
            action={updateMailboxAction}
            locale={locale}
            owner={ownerChoice ? { id: ownerChoice.id, label: `${ownerChoice.name} <${ownerChoice.email}>` } : null}
            profile={profileChoice ? { id: profileChoice.id, label: profileChoice.name } : m.profileId ? { id: m.profileId, label: m.profileName ?? m.profileId } : null}
            canPickProfile={canPickProfile}
            initial={{
              id: m.id,
              kind: m.kind,
              name: m.name,
              emailAddress: m.emailAddress,
              ownerId: m.ownerId ?? "",
              profileId: m.profileId ?? "",
              incomingDelivery: m.incomingDelivery,
              outgoingDelivery: m.outgoingDelivery,
              actDelivery: m.actDelivery,
            }}
          />
        </section>
      ) : null}

      {showFolders ? (
        <section aria-labelledby="folders-title" className="rounded bg-white p-4 shadow-sm" data-testid="folders-panel">
          <h2 id="folders-title" className="mb-1 text-lg font-semibold">{t("mailboxes.folders.title")}</h2>
          <FoldersPanel
            mailboxId={m.id}
            locale={locale}
            chosen={folders.map((f) => ({ path: f.path, missing: f.errorCode === "folder_missing", synced: f.lastSyncAt ? when(t, locale, f.lastSyncAt, timeZone) : null }))}
          />
        </section>
      ) : null}

      {m.allowed.write ? (
        <section aria-labelledby="ingest" className="rounded bg-white p-4 shadow-sm" data-testid="ingest-panel">
          <h2 id="ingest" className="mb-1 text-lg font-semibold">{t("ingest.title")}</h2>
          {m.incomingDelivery === "email_router" ? (
            <>
              <p className="mb-2 text-sm text-slate-600">{t("ingest.intro", { url: `/api/ingest/${m.id}` })}</p>
              <p className="mb-3 text-sm" data-testid="ingest-token-state">
                {m.ingestTokenCreatedAt ? t("ingest.tokenSet", { date: when(t, locale, m.ingestTokenCreatedAt, timeZone) }) : t("ingest.noToken")}
              </p>
              <IngestTokenPanel
                mailboxId={m.id}
                hasToken={!!m.ingestTokenCreatedAt}
                labels={{ create: t("ingest.create"), replace: t("ingest.replace"), revoke: t("ingest.revoke"), shownOnce: t("ingest.shownOnce") }}
              />
            </>
          ) : (
            <p className="text-sm text-slate-600">{t("ingest.notRouter")}</p>
          )}
        </section>
      ) : null}

      {m.allowed.setCredentials && oauth?.passwordsUsed !== false ? (
        <section aria-labelledby="credentials" className="rounded bg-white p-4 shadow-sm">
          <h2 id="credentials" className="mb-1 text-lg font-semibold">{t("mailboxes.credentials")}</h2>
          <p className="mb-3 text-sm text-slate-600">{m.profileCredentialMode === "profile" ? t("mailboxes.credentialsUnused") : t("mailboxes.credentialsIntro")}</p>
          <CredentialsForm id={m.id} userName={m.userName ?? ""} passwordSet={m.passwordSet} locked={locked} lockedMessage={renderMessage(t, insecureChannelMessage)} locale={locale} />
        </section>
      ) : null}
    </section>
  );
}
