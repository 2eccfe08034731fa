import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { raiseAlert } from "../alerts/raise-alert";
import { newMailLatencySamples } from "./new-mail-latency";

type Row = { id: string; name: string; owner_id: string | null; profile_id: string; profile_owner_id: string | null; threshold: number; p95: number | null; samples: number };

/**
 * Slow mail (SPEC §5): a mailbox whose new-mail latency (arrival at the server →
 * stored here) has a p95 over the last hour above its profile's threshold
 * (profiles.slow_mail_minutes; null turns it off) gets one warning to its owner
 * and its profile's owner, marked (slow_since) so it is not repeated; the mark is
 * cleared once an hour's new mail is within the threshold again. `now` is
 * injectable for tests; several workers may run it (the marking update decides).
 */
export async function checkSlowMail(db: Db, opts: { now?: Date } = {}): Promise<{ raised: string[]; cleared: string[] }> {
  const now = opts.now ?? new Date();
  const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
  const rows = await db.execute<Row>(sql`
    select m.id, m.name, m.owner_id, m.profile_id, p.owner_id as profile_owner_id, p.slow_mail_minutes as threshold, l.p95, l.samples
      from mailboxes m
      join profiles p on p.id = m.profile_id
      cross join lateral (
        select percentile_cont(0.95) within group (order by s.seconds) as p95, count(*)::int as samples
          from (${newMailLatencySamples(sql`m`, hourAgo)}) s) l
     where p.slow_mail_minutes is not null
       and m.incoming_delivery = 'server_side_sync'
       and l.samples > 0
       and ((m.slow_since is null and l.p95 > p.slow_mail_minutes * 60) or (m.slow_since is not null and l.p95 <= p.slow_mail_minutes * 60))`);
  const raised: string[] = [];
  const cleared: string[] = [];
  for (const m of rows) {
    const slow = m.p95! > m.threshold * 60;
    const [changed] = await db.execute(sql`
      update mailboxes set slow_since = ${slow ? now.toISOString() : null}
       where id = ${m.id} and slow_since is ${slow ? sql`null` : sql`not null`} returning id`);
    if (!changed) continue;
    if (!slow) {
      cleared.push(m.id);
      continue;
    }
    raised.push(m.id);
    const p95Minutes = Math.round(m.p95! / 6) / 10;
    await raiseAlert(db, {
      severity: "warning",
      recipientIds: [m.owner_id, m.profile_owner_id],
      mailboxId: m.id,
      profileId: m.profile_id,
      dedupKey: `incoming:slow:${m.id}`,
      title: { key: "monitoring.slow.title", params: { name: m.name } },
      message: { key: "monitoring.slow.message", params: { name: m.name, p95: p95Minutes, threshold: m.threshold, samples: m.samples } },
      detail: `p95 ${Math.round(m.p95!)} s over ${m.samples} messages stored in the hour before ${now.toISOString()}`,
    });
  }
  return { raised, cleared };
}
