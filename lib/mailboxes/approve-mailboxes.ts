import { and, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";

/**
 * Approves the email of the given mailboxes (mailbox:approve, admins only),
 * recording who and when. Already approved mailboxes keep their first approval.
 * Returns how many were newly approved.
 */
export async function approveMailboxes(db: Db, actor: Actor | null, input: { ids: string[] }): Promise<number> {
  assertCan(actor, "mailbox:approve");
  const ids = [...new Set(input.ids.filter(isUuid))];
  if (ids.length === 0) throw new AppError("invalid", msg("error.mailbox.selectOne"));
  const rows = await db
    .update(mailboxes)
    .set({ approvedAt: new Date(), approvedById: actor.id, updatedAt: new Date() })
    .where(and(inArray(mailboxes.id, ids), isNull(mailboxes.approvedAt)))
    .returning({ id: mailboxes.id });
  return rows.length;
}
