import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { isSecureChannel } from "@/lib/server/secure-channel";
import { requireActor } from "@/lib/server/session";
import { publicBaseUrl } from "@/lib/server/public-url";
import { oauthRedirectUri } from "@/lib/oauth/redirect-uri";
import { updateProfileAction } from "../../actions";
import { credentialsLocked } from "../../credential-lock";
import { getUserChoice } from "@/lib/users/search-user-choices";
import { loadProfileOr404 } from "../../load-profile-or-404";
import { ProfileForm } from "../../profile-form";
import { profileFormInitial } from "../../profile-form-initial";
import { profileText } from "../../profile-text";

export default async function EditProfilePage({ params }: { params: Promise<{ id: string }> }) {
  // profile:write: a mailbox manager gets the 403 page here, not a form the action would refuse.
  const actor = await requireActor("profile:write");
  const [t, secure, { id }, base] = await Promise.all([getT(), isSecureChannel(), params, publicBaseUrl()]);
  const profile = await loadProfileOr404(actor, id);
  const owner = await getUserChoice(getDb(), actor, profile.ownerId);
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">{t("profiles.editTitle")}</h1>
      <ProfileForm
        action={updateProfileAction}
        initial={profileFormInitial(profile)}
        owner={owner ? { id: owner.id, label: `${owner.name} <${owner.email}>` } : null}
        credentialsLocked={credentialsLocked(secure)}
        text={profileText(t)}
        redirectUri={oauthRedirectUri(base.url)}
        redirectUriFromRequest={base.fromRequest}
      />
    </section>
  );
}
