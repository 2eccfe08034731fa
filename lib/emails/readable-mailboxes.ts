import { and, eq, type SQL } from "drizzle-orm";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";

/**
 * The condition on `mailboxes` that limits a query to those `actor` may read:
 * all of them with `mailbox:read`, else the ones they own (their own mailbox and
 * the queues they own). Combined with `mailboxId` when given. Throws for a
 * signed-out caller.
 */
export function readableMailboxes(actor: Actor | null, mailboxId?: string): SQL | undefined {
  assertCan(actor, "mailbox:read-own");
  const own = can(actor, "mailbox:read") ? undefined : eq(mailboxes.ownerId, actor.id);
  return and(mailboxId ? eq(mailboxes.id, mailboxId) : undefined, own);
}

/** The same "not found" for a mailbox or message that does not exist and one the actor may not read. */
export function mailNotFound(): AppError {
  return new AppError("not_found", msg("error.email.notFound"));
}
