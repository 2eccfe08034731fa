"use server";
import type { PickerChoice } from "@/components/form/search-picker";
import { searchProfileChoices } from "@/lib/profiles/search-profile-choices";
import { getDb } from "@/lib/server/db";
import { getActor } from "@/lib/server/session";
import { searchUserChoices } from "@/lib/users/search-user-choices";

/** Owner picker (queue owner, profile owner): active users matching `query`; the lib function checks the privilege. */
export async function searchOwnersAction(query: string): Promise<PickerChoice[]> {
  const rows = await searchUserChoices(getDb(), await getActor(), { query: String(query ?? "") });
  return rows.map((u) => ({ id: u.id, label: `${u.name} <${u.email}>` }));
}

/** A mailbox's profile picker: profiles matching `query`; the lib function checks the privileges. */
export async function searchProfilesAction(query: string): Promise<PickerChoice[]> {
  const rows = await searchProfileChoices(getDb(), await getActor(), { query: String(query ?? "") });
  return rows.map((p) => ({ id: p.id, label: p.name }));
}
