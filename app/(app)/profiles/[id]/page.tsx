import Link from "next/link";
import { JobProgress } from "@/components/job-progress";
import { can } from "@/lib/auth/actor";
import { findLatestProfileJob } from "@/lib/jobs/find-latest-profile-job";
import { getDb } from "@/lib/server/db";
import { getLocale, getT, getTimeZone } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { publicBaseUrl } from "@/lib/server/public-url";
import { oauthRedirectUri } from "@/lib/oauth/redirect-uri";
import { providerOfHost } from "@/lib/oauth/provider-of-host";
import { DeleteProfileButton } from "../delete-profile-button";
import { loadProfileOr404 } from "../load-profile-or-404";
import { ProfileDetails } from "../profile-details";
import { TestAllButton } from "../test-all-button";

export default async function ProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor("profile:read");
  const [t, locale, { id }, base, timeZone] = await Promise.all([getT(), getLocale(), params, publicBaseUrl(), getTimeZone()]);
  const profile = await loadProfileOr404(actor, id);
  // Controls only for who may use them; the actions check profile:write again.
  const canWrite = can(actor, "profile:write");
  const canTest = can(actor, "mailbox:test");
  // A password sent to Google or Microsoft 365 (app passwords aside, refused): flagged, with the report.
  const passwordTo = [
    profile.incomingAuthMethod !== "xoauth2" ? providerOfHost(profile.serverType, profile.incomingHost) : null,
    profile.outgoingAuthMethod !== "xoauth2" ? providerOfHost(profile.serverType, profile.outgoingHost) : null,
  ].find(Boolean);
  const latestJob = canTest ? await findLatestProfileJob(getDb(), actor, { profileId: profile.id }) : null;
  return (
    <section className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">
          {profile.name}
          {profile.isDefault ? (
            <span className="ml-3 rounded bg-blue-100 px-2 py-0.5 align-middle text-xs font-medium text-blue-800">{t("profiles.defaultMarker")}</span>
          ) : null}
        </h1>
        {canWrite ? (
          <Link href={`/profiles/${profile.id}/edit`} className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">
            {t("common.edit")}
          </Link>
        ) : null}
      </div>
      {!canWrite ? <p className="text-sm text-slate-600">{t("profiles.readOnly")}</p> : null}
      {passwordTo ? (
        <p data-testid="basic-auth-flag" className="max-w-3xl rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {t("basicAuth.flag", { provider: passwordTo === "google" ? "Google" : "Microsoft 365" })}{" "}
          {canWrite ? <Link href="/basic-auth" className="text-blue-700 underline">{t("nav.basicAuth")}</Link> : null}
        </p>
      ) : null}
      {profile.oauthProvider && profile.credentialMode === "mailbox" ? (
        // What the admin pastes into Google's or Microsoft's console.
        <section className="flex max-w-3xl flex-col gap-1 rounded border border-blue-200 bg-blue-50 p-4 text-sm">
          <h2 className="font-semibold">{t("oauth.redirectUri")}</h2>
          <code data-testid="redirect-uri" className="select-all break-all rounded bg-white px-2 py-1">
            {oauthRedirectUri(base.url)}
          </code>
          <p className="text-slate-700">{t("oauth.redirectUriHelp")}</p>
          {base.fromRequest ? <p className="text-amber-800">{t("oauth.redirectUriFromRequest")}</p> : null}
        </section>
      ) : null}
      {profile.oauthProvider && profile.credentialMode === "profile" && profile.oauthProvider !== "generic" ? (
        <p data-testid="app-only-help" className="max-w-3xl rounded border border-slate-200 bg-white p-4 text-sm text-slate-700">
          {t(profile.oauthProvider === "google" ? "oauth.appOnly.google" : "oauth.appOnly.microsoft")}
        </p>
      ) : null}
      {profile.allowUnencrypted ? (
        <p role="alert" data-testid="unencrypted-warning" className="max-w-3xl rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">{t("profiles.warning.unencrypted")}</p>
      ) : null}
      <ProfileDetails p={profile} t={t} locale={locale} timeZone={timeZone} />

      {canTest ? (
        <section data-testid="test-all" className="flex max-w-3xl flex-col gap-3 rounded border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">{t("profiles.testAll.title")}</h2>
          <p className="text-sm text-slate-600">{t("profiles.testAll.help")}</p>
          <TestAllButton profileId={profile.id} label={t("profiles.testAll.run")} />
          {latestJob ? <JobProgress key={latestJob.id} jobId={latestJob.id} initial={latestJob} locale={locale} /> : null}
        </section>
      ) : null}

      {canWrite ? (
        <DeleteProfileButton
          id={profile.id}
          text={{
            delete: t("profiles.delete"),
            confirm: t("profiles.deleteConfirm", { name: profile.name }),
            yes: t("profiles.deleteYes"),
            cancel: t("common.cancel"),
          }}
        />
      ) : null}
    </section>
  );
}
