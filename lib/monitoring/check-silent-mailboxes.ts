import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { raiseAlert } from "../alerts/raise-alert";
import { formatUtc } from "./format-utc";

/** A mailbox counts as stopped after max(3 × its polling interval, this). */
const MIN_SILENCE = "15 minutes";

type Row = { id: string; name: string; owner_id: string | null; profile_id: string | null; profile_owner_id: string | null; since: Date | string };

/**
 * Silent stops (SPEC §5): an enabled, due-able mailbox (server-side sync, approved
 * when approval is required) with no successful sync for max(3 × its profile's
 * polling interval, 15 minutes) gets one warning — "has not synced since …" — to
 * its owner and its profile's owner, and is marked (silent_since: its last sign of
 * life) so the warning is not repeated. The next successful sync clears the mark with an information
 * alert. A mailbox no longer expected to sync (disabled, another delivery) is
 * unmarked quietly: its own alerts said why. `now` is injectable for tests.
 * Safe with several workers: only the one whose update marks or clears the row raises.
 */
export async function checkSilentMailboxes(db: Db, opts: { now?: Date } = {}): Promise<{ raised: string[]; cleared: string[] }> {
  const now = opts.now ?? new Date();
  const silent = await db.execute<Row>(sql`
    update mailboxes m set silent_since = coalesce(m.last_sync_at, m.last_tested_at, m.created_at)
      from profiles p
     where p.id = m.profile_id
       and m.silent_since is null
       and m.incoming_delivery = 'server_side_sync'
       and m.incoming_enabled
       and (m.approved_at is not null or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))
       and coalesce(m.last_sync_at, m.last_tested_at, m.created_at)
           < ${now.toISOString()}::timestamptz - greatest(3 * p.min_polling_interval_minutes * interval '1 minute', ${MIN_SILENCE}::interval)
    returning m.id, m.name, m.owner_id, m.profile_id, p.owner_id as profile_owner_id, coalesce(m.last_sync_at, m.last_tested_at, m.created_at) as since`);
  for (const m of silent) {
    const since = formatUtc(new Date(m.since));
    await raiseAlert(db, {
      severity: "warning",
      recipientIds: [m.owner_id, m.profile_owner_id],
      mailboxId: m.id,
      profileId: m.profile_id ?? undefined,
      dedupKey: `incoming:silent:${m.id}`,
      title: { key: "monitoring.silent.title", params: { name: m.name } },
      message: { key: "monitoring.silent.message", params: { name: m.name, since } },
      detail: `no successful sync since ${since}`,
    });
  }

  const back = await db.execute<Row>(sql`
    update mailboxes m set silent_since = null
      from mailboxes old left join profiles p on p.id = old.profile_id
     where old.id = m.id
       and m.silent_since is not null
       and m.last_sync_at > m.silent_since
    returning m.id, m.name, m.owner_id, m.profile_id, p.owner_id as profile_owner_id, m.last_sync_at as since`);
  for (const m of back) {
    await raiseAlert(db, {
      severity: "information",
      recipientIds: [m.owner_id, m.profile_owner_id],
      mailboxId: m.id,
      profileId: m.profile_id ?? undefined,
      dedupKey: `incoming:silent-cleared:${m.id}`,
      title: { key: "monitoring.silentCleared.title", params: { name: m.name } },
      message: { key: "monitoring.silentCleared.message", params: { name: m.name, at: formatUtc(new Date(m.since)) } },
    });
  }
  await db.execute(sql`
    update mailboxes set silent_since = null
     where silent_since is not null and (not incoming_enabled or incoming_delivery <> 'server_side_sync')`);
  return { raised: silent.map((m) => m.id), cleared: back.map((m) => m.id) };
}
