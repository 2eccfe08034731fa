import Link from "next/link";
import { can } from "@/lib/auth/actor";
import { getLocale, getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { DeleteProfileButton } from "../delete-profile-button";
import { loadProfileOr404 } from "../load-profile-or-404";
import { ProfileDetails } from "../profile-details";

export default async function ProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor("profile:read");
  const [t, locale, { id }] = await Promise.all([getT(), getLocale(), params]);
  const profile = await loadProfileOr404(actor, id);
  // Controls only for who may use them; the actions check profile:write again.
  const canWrite = can(actor, "profile:write");
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
      <ProfileDetails p={profile} t={t} locale={locale} />

      {/*
        SLOT (issue 4): "Test & enable all mailboxes of this profile". lib/jobs
        (enqueueTestAllJob, getJobProgress) and components/job-progress.tsx did not
        exist when this page was written: wire a button (mailbox:test) that enqueues
        the job and the progress component here.
      */}
      <section data-testid="test-all-slot" className="max-w-3xl rounded border border-dashed border-slate-300 bg-white p-4">
        <h2 className="mb-1 font-semibold">{t("profiles.testAll.title")}</h2>
        <p className="text-sm text-slate-500">{t("profiles.testAll.pending")}</p>
      </section>

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
