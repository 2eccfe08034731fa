import { sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client";
import { alerts } from "../../db/schema/alerts";

export type AlertSeverity = "error" | "warning" | "information";

export type RaiseAlertInput = {
  severity: AlertSeverity;
  /** Who receives it; `null` (e.g. a profile without an owner) and repeats are skipped. */
  recipientIds: (string | null)[];
  mailboxId?: string;
  profileId?: string;
  /** What makes two alerts "the same", e.g. `incoming:auth_failed:<mailbox id>`. */
  dedupKey: string;
  title: string;
  message: string;
  detail?: string;
};

/**
 * Raises one alert per distinct recipient (SPEC §5). An alert repeated while the
 * recipient's earlier copy is still unread is counted, not duplicated: the unread
 * row's count goes up and its last-seen time, severity, texts and detail are
 * refreshed. Once read, the next occurrence starts a new alert.
 */
export async function raiseAlert(db: Db | Tx, a: RaiseAlertInput): Promise<void> {
  const recipients = [...new Set(a.recipientIds.filter((id): id is string => !!id))];
  if (recipients.length === 0) return;
  await db
    .insert(alerts)
    .values(
      recipients.map((recipientId) => ({
        severity: a.severity,
        recipientId,
        mailboxId: a.mailboxId ?? null,
        profileId: a.profileId ?? null,
        dedupKey: a.dedupKey,
        title: a.title,
        message: a.message,
        detail: a.detail ?? "",
      })),
    )
    // The target matches the partial unique index alerts_unread_dedup.
    .onConflictDoUpdate({
      target: [alerts.recipientId, alerts.dedupKey],
      targetWhere: sql`${alerts.readAt} is null`,
      set: {
        count: sql`${alerts.count} + 1`,
        lastSeenAt: sql`now()`,
        severity: sql`excluded.severity`,
        title: sql`excluded.title`,
        message: sql`excluded.message`,
        detail: sql`excluded.detail`,
        mailboxId: sql`coalesce(excluded.mailbox_id, ${alerts.mailboxId})`,
        profileId: sql`coalesce(excluded.profile_id, ${alerts.profileId})`,
      },
    });
}
