import { asc, count, desc, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { selectProfileViews, type ProfileView } from "./profile-view";

export type ProfileSort = "name" | "type" | "created";

export type ListProfilesInput = {
  /** 1-based; values from a URL are accepted as strings, and anything invalid falls back to the default. */
  page?: number | string;
  /** Default 25, at most 100. */
  pageSize?: number | string;
  sort?: ProfileSort | string;
  direction?: "asc" | "desc" | string;
};

export type ProfilePage = {
  items: ProfileView[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
  sort: ProfileSort;
  direction: "asc" | "desc";
};

/**
 * A page of profiles (profile:read), sorted by name, server type or creation
 * time, each with its owner's name and how many mailboxes use it. No secrets:
 * passwords appear only as passwordSet / outgoingPasswordSet.
 */
export async function listProfiles(db: Db, actor: Actor | null, input: ListProfilesInput = {}): Promise<ProfilePage> {
  assertCan(actor, "profile:read");
  const pageSize = clampInt(input.pageSize, 25, 1, 100);
  const sort: ProfileSort = input.sort === "type" || input.sort === "created" ? input.sort : "name";
  const direction = input.direction === "desc" ? "desc" : "asc";
  const [{ total }] = await db.select({ total: count() }).from(profiles);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(clampInt(input.page, 1, 1, Number.MAX_SAFE_INTEGER), pageCount);

  const by = direction === "desc" ? desc : asc;
  const order = {
    name: [by(sql`lower(${profiles.name})`)],
    type: [by(profiles.serverType), asc(sql`lower(${profiles.name})`)],
    created: [by(profiles.createdAt)],
  }[sort];
  const items = await selectProfileViews(db)
    .orderBy(...order, asc(profiles.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { items, total, page, pageSize, pageCount, sort, direction };
}

function clampInt(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n)) return fallback;
  return Math.min(Math.max(n, min), max);
}
