import { sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import { inEnglish, type Message } from "../i18n/message";

export type AlertSeverity = "error" | "warning" | "information";

export type RaiseAlertInput = {
  severity: AlertSeverity;
  /** Who receives it; `null` (e.g. a profile without an owner) and repeats are skipped. */
  recipientIds: (string | null)[];
  mailboxId?: string;
  profileId?: string;
  /** What makes two alerts "the same", e.g. `incoming:auth_failed:<mailbox id>`. */
  dedupKey: string;
  /** For people: keys and parameters, rendered in each reader's language when shown. */
  title: Message;
  message: Message;
  /** Technical detail (codes, server replies), English is fine: for admins and logs. */
  detail?: string;
};

/**
 * Raises one alert per distinct recipient (SPEC §5). An alert repeated while the
 * recipient's earlier copy is still unread is counted, not duplicated: the unread
 * row's count goes up and its last-seen time, severity, texts and detail are
 * refreshed. Once read, the next occurrence starts a new alert. Title and message
 * are stored as key + parameters, with an English copy in the text columns.
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
        title: inEnglish(a.title),
        message: inEnglish(a.message),
        titleKey: a.title.key,
        titleParams: a.title.params ?? {},
        messageKey: a.message.key,
        messageParams: a.message.params ?? {},
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
        titleKey: sql`excluded.title_key`,
        titleParams: sql`excluded.title_params`,
        messageKey: sql`excluded.message_key`,
        messageParams: sql`excluded.message_params`,
        detail: sql`excluded.detail`,
        mailboxId: sql`coalesce(excluded.mailbox_id, ${alerts.mailboxId})`,
        profileId: sql`coalesce(excluded.profile_id, ${alerts.profileId})`,
      },
    });
}
