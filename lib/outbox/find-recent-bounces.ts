import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";

/** How long a permanent bounce keeps warning the sender. */
export const BOUNCE_WARNING_DAYS = 30;

export type RecentBounce = { address: string; storedAt: Date; status: string };

/**
 * Which of `addresses` a delivery status notification stored in the mailbox
 * reported as failed for good (action failed, status 5.x.x) within the last
 * BOUNCE_WARNING_DAYS: the newest report per address, with its status code.
 * Addresses compare case-insensitively.
 */
export async function findRecentBounces(db: DbOrTx, mailboxId: string, addresses: string[]): Promise<RecentBounce[]> {
  const wanted = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (wanted.length === 0) return [];
  const list = `{${wanted.map((a) => `"${a.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
  const rows = await db.execute<{ address: string; stored_at: string | Date; status: string | null }>(sql`
    select distinct on (a.address) a.address, e.stored_at,
           (select r->>'status' from jsonb_array_elements(e.dsn_recipients) r where lower(r->>'address') = a.address limit 1) as status
      from emails e, unnest(e.bounced_addresses) as a(address)
     where e.mailbox_id = ${mailboxId}
       and e.bounced_addresses && ${list}::text[]
       and a.address = any(${list}::text[])
       and e.stored_at > now() - ${BOUNCE_WARNING_DAYS} * interval '1 day'
     order by a.address, e.stored_at desc`);
  return rows.map((r) => ({ address: r.address, storedAt: new Date(r.stored_at), status: r.status ?? "5.0.0" }));
}
