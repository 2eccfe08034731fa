import { notFound } from "next/navigation";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { getProfile } from "@/lib/profiles/get-profile";
import type { ProfileView } from "@/lib/profiles/profile-view";
import { getDb } from "@/lib/server/db";

/** The profile for a page, or the 404 page when the id names none. */
export async function loadProfileOr404(actor: Actor, id: string): Promise<ProfileView> {
  return getProfile(getDb(), actor, { id }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
}
