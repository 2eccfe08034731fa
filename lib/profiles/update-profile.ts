import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { loadProfilePolicy } from "./load-profile-policy";
import { profileColumns, rethrowProfileWriteError } from "./profile-columns";
import { parseProfileInput, type ProfileInput } from "./profile-input";
import { findProfileView, type ProfileView } from "./profile-view";
import { writeDefaultProfile } from "./write-default-profile";

export type UpdateProfileInput = {
  id: string;
  /** The whole submitted form: every field is written (an unticked checkbox is off). */
  values: FormData | Record<string, unknown>;
  secureChannel: boolean;
};

/**
 * Saves an edited profile (profile:write). A blank password keeps the stored one;
 * `clearPassword` / `clearOutgoingPassword` remove it; switching to credentials per
 * mailbox drops the profile's credentials. Ticking "default" makes it the only
 * default, unticking it leaves the organisation without one. Mailboxes attached
 * keep the profile and pick up the new settings on their next sync.
 */
export async function updateProfile(db: Db, actor: Actor | null, input: UpdateProfileInput): Promise<ProfileView> {
  assertCan(actor, "profile:write");
  if (!isUuid(input.id)) throw notFound();
  const policy = loadProfilePolicy();
  let parsed: ProfileInput | undefined;
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({
          userName: profiles.userName,
          outgoingUserName: profiles.outgoingUserName,
          passwordSet: sql<boolean>`(${profiles.passwordSealed} is not null)`,
          outgoingPasswordSet: sql<boolean>`(${profiles.outgoingPasswordSealed} is not null)`,
          oauthClientSecretSet: sql<boolean>`(${profiles.oauthClientSecretSealed} is not null)`,
          oauthCertificateSet: sql<boolean>`(${profiles.oauthClientCertificateSealed} is not null)`,
          oauthServiceAccountKeySet: sql<boolean>`(${profiles.oauthServiceAccountKeySealed} is not null)`,
          isDefault: profiles.isDefault,
        })
        .from(profiles)
        .where(eq(profiles.id, input.id))
        .for("update");
      if (!existing) throw notFound();
      const p = (parsed = parseProfileInput(input.values, { secureChannel: input.secureChannel, policy, existing }));
      await tx.update(profiles).set(profileColumns(p, input.id)).where(eq(profiles.id, input.id));
      if (p.isDefault && !existing.isDefault) await writeDefaultProfile(tx, input.id);
      if (!p.isDefault && existing.isDefault) await writeDefaultProfile(tx, null);
      return (await findProfileView(tx, input.id))!;
    });
  } catch (err) {
    if (!parsed) throw err;
    rethrowProfileWriteError(err, parsed.name);
  }
}

const notFound = () => new AppError("not_found", msg("error.profile.gone"));
