import { eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../db/client";
import { alerts } from "../../db/schema/alerts";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { users } from "../../db/schema/users";
import { can, type Actor } from "../auth/actor";
import { storedMessage, type Message } from "../i18n/message";

export type AlertView = {
  id: string;
  severity: "error" | "warning" | "information";
  mailboxId: string | null;
  mailboxName: string | null;
  profileId: string | null;
  profileName: string | null;
  recipientId: string;
  recipientName: string;
  /** What makes two alerts "the same"; `oauth:…` alerts offer "Sign in again". */
  dedupKey: string;
  /** A key to render in the reader's language, or the English text of an alert stored before keys. */
  title: Message | string;
  message: Message | string;
  detail: string;
  /** On a mailbox's wall: everyone this event was alerted to, and the ids of their copies (marked read together). */
  recipientNames?: string[];
  ids?: string[];
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  readAt: Date | null;
};

const recipients = alias(users, "recipient");

/** A query for alert views with mailbox, profile and recipient names (add where / order / limit). Callers check privileges. */
export function selectAlertViews(db: DbOrTx) {
  return db
    .select({
      id: alerts.id,
      severity: alerts.severity,
      mailboxId: alerts.mailboxId,
      mailboxName: mailboxes.name,
      profileId: alerts.profileId,
      profileName: profiles.name,
      recipientId: alerts.recipientId,
      recipientName: recipients.name,
      dedupKey: alerts.dedupKey,
      title: alerts.title,
      titleKey: alerts.titleKey,
      titleParams: alerts.titleParams,
      message: alerts.message,
      messageKey: alerts.messageKey,
      messageParams: alerts.messageParams,
      detail: alerts.detail,
      count: alerts.count,
      firstSeenAt: alerts.firstSeenAt,
      lastSeenAt: alerts.lastSeenAt,
      readAt: alerts.readAt,
    })
    .from(alerts)
    .innerJoin(recipients, eq(recipients.id, alerts.recipientId))
    .leftJoin(mailboxes, eq(mailboxes.id, alerts.mailboxId))
    .leftJoin(profiles, eq(profiles.id, alerts.profileId))
    .$dynamic();
}

type AlertRow = Awaited<ReturnType<typeof selectAlertViews>>[number];

/** A selected row as a view: title and message as keys to render, or an older row's English text. */
export function alertViewOf(r: AlertRow): AlertView {
  const { titleKey, titleParams, messageKey, messageParams, ...rest } = r;
  return { ...rest, title: storedMessage(titleKey, titleParams, r.title) ?? "", message: storedMessage(messageKey, messageParams, r.message) ?? "" };
}

export type AlertPage = { items: AlertView[]; total: number; unread: number; page: number; pageSize: number; pageCount: number };

/**
 * The view as `actor` may see it: the technical detail (raw socket and server text,
 * which can describe other services on a host) only for admins; everyone else gets
 * the message, which says what happened and what to change.
 */
export function alertViewFor(actor: Actor, view: AlertView): AlertView {
  return can(actor, "alert:read-all") ? view : { ...view, detail: "" };
}
