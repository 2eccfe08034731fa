import type { Db } from "../../db/client";
import { assertCan, type Actor } from "../auth/actor";
import { getDashboard, type Dashboard } from "./get-dashboard";

/**
 * The dashboard, shared by everyone who opens it within `maxAgeMs`. Its twelve
 * queries scan sync_runs and every mailbox (tens of milliseconds of Postgres at
 * 10,000 mailboxes), and the page refreshes itself every 15 s in each open browser:
 * twenty people watching would run them twenty times for the same figures. The
 * figures are the same for every reader (monitoring:read is checked on every call,
 * before the cache), so one computation per range serves all; concurrent callers
 * share the one in flight. The page says when the figures were computed
 * (Dashboard.generatedAt). maxAgeMs 0 computes every time.
 */
export function createDashboardCache(now: () => number = Date.now) {
  const entries = new Map<string, { at: number; value: Promise<Dashboard> }>();
  return async function cachedDashboard(db: Db, actor: Actor | null, input: { range?: string }, maxAgeMs: number): Promise<Dashboard> {
    assertCan(actor, "monitoring:read");
    if (maxAgeMs <= 0) return getDashboard(db, actor, input);
    const key = input.range === "7d" ? "7d" : "24h";
    const hit = entries.get(key);
    if (hit && now() - hit.at < maxAgeMs) return hit.value;
    const value = getDashboard(db, actor, input);
    entries.set(key, { at: now(), value });
    // A failed computation is not served to the next reader.
    value.catch(() => entries.get(key)?.value === value && entries.delete(key));
    return value;
  };
}
