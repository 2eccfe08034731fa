import { and, count, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import type { Actor } from "../auth/actor";

/** How many unread alerts were sent to the actor (the navigation's badge). Zero for a signed-out caller. */
export async function countUnreadAlerts(db: Db, actor: Actor | null): Promise<number> {
  if (!actor) return 0;
  const [{ n }] = await db.select({ n: count() }).from(alerts).where(and(eq(alerts.recipientId, actor.id), isNull(alerts.readAt)));
  return n;
}
