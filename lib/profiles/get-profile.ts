import type { Db } from "../../db/client";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { findProfileView, type ProfileView } from "./profile-view";

/** One profile for its page or edit form (profile:read). Passwords appear only as passwordSet / outgoingPasswordSet. */
export async function getProfile(db: Db, actor: Actor | null, input: { id: string }): Promise<ProfileView> {
  assertCan(actor, "profile:read");
  const view = isUuid(input.id) ? await findProfileView(db, input.id) : null;
  if (!view) throw new AppError("not_found", msg("error.profile.notFound"));
  return view;
}
