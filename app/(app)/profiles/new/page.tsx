import { getT } from "@/lib/server/locale";
import { isSecureChannel } from "@/lib/server/secure-channel";
import { requireActor } from "@/lib/server/session";
import { publicBaseUrl } from "@/lib/server/public-url";
import { oauthRedirectUri } from "@/lib/oauth/redirect-uri";
import { createProfileAction } from "../actions";
import { credentialsLocked } from "../credential-lock";
import { ProfileForm } from "../profile-form";
import { newProfileInitial } from "../profile-form-initial";
import { profileText } from "../profile-text";

export default async function NewProfilePage() {
  const actor = await requireActor("profile:write");
  const [t, secure, base] = await Promise.all([getT(), isSecureChannel(), publicBaseUrl()]);
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">{t("profiles.newTitle")}</h1>
      <ProfileForm
        action={createProfileAction}
        initial={{ ...newProfileInitial, ownerId: actor.id }}
        owner={{ id: actor.id, label: `${actor.name} <${actor.email}>` }}
        credentialsLocked={credentialsLocked(secure)}
        text={profileText(t)}
        redirectUri={oauthRedirectUri(base.url)}
        redirectUriFromRequest={base.fromRequest}
      />
    </section>
  );
}
