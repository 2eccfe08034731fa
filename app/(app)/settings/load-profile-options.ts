import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import type { ServerType } from "@/lib/profiles/fill-profile-defaults";
import { listProfiles } from "@/lib/profiles/list-profiles";

export type ProfileOption = { id: string; name: string; serverType: ServerType };

/** Every profile, by name, as a choice for the default profile (read page by page). */
export async function loadProfileOptions(db: Db, actor: Actor): Promise<ProfileOption[]> {
  const options: ProfileOption[] = [];
  for (let page = 1; ; page++) {
    const result = await listProfiles(db, actor, { page, pageSize: 100, sort: "name" });
    options.push(...result.items.map((p) => ({ id: p.id, name: p.name, serverType: p.serverType })));
    if (page >= result.pageCount) break;
  }
  return options;
}
