import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";

export type ProfileChoice = { id: string; name: string };

const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Profiles whose name contains `query` (case-insensitive), by name, at most `limit`: the
 * matches a mailbox's profile picker shows. For those who may read profiles and write
 * mailboxes (the mailbox page offers the choice only to them).
 */
export async function searchProfileChoices(db: Db, actor: Actor | null, input: { query?: string; limit?: number }): Promise<ProfileChoice[]> {
  assertCan(actor, "mailbox:write");
  assertCan(actor, "profile:read");
  const query = (input.query ?? "").trim().slice(0, 100);
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 20), 1), 50);
  return db
    .select({ id: profiles.id, name: profiles.name })
    .from(profiles)
    .where(query ? sql`lower(${profiles.name}) like lower(${containing(query)})` : undefined)
    .orderBy(asc(profiles.name))
    .limit(limit);
}

/** One profile as the picker's current choice, or null. Same privileges. */
export async function getProfileChoice(db: Db, actor: Actor | null, id: string | null | undefined): Promise<ProfileChoice | null> {
  assertCan(actor, "mailbox:write");
  assertCan(actor, "profile:read");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await db.select({ id: profiles.id, name: profiles.name }).from(profiles).where(eq(profiles.id, id));
  return row ?? null;
}
