import type { Actor } from "@/lib/auth/actor";
import { listUsers } from "@/lib/users/list-users";
import type { Db } from "@/db/client";

/** Every user as an owner choice for the profile form (name and email), read page by page. */
export async function loadOwnerOptions(db: Db, actor: Actor): Promise<{ id: string; label: string }[]> {
  const options: { id: string; label: string }[] = [];
  for (let page = 1; ; page++) {
    const result = await listUsers(db, actor, { page, pageSize: 200 });
    for (const u of result.rows) options.push({ id: u.id, label: `${u.name} <${u.email}>` });
    if (page * result.pageSize >= result.total || result.rows.length === 0) break;
  }
  return options.sort((a, b) => a.label.localeCompare(b.label));
}
