import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { outbox, type OutboxEmail } from "../../db/schema/outbox";

/** A claimed email: its whole row as leased, so sending needs no second read. */
export type ClaimedEmail = OutboxEmail;

/**
 * Claims up to `limit` emails due to be sent and leases them to `workerId`
 * (status `sending`, one more attempt counted). Due: queued or retrying with
 * their next attempt time come, or `sending` under an expired lease (a worker
 * died mid-send: see send-claimed-emails.ts on why that may send twice). Only
 * from mailboxes that may send now — outgoing by server-side sync, enabled,
 * with a profile, approved when the organisation requires it; mail of other
 * mailboxes waits queued. `FOR UPDATE SKIP LOCKED` keeps two workers from
 * claiming the same email. Returns the leased rows themselves (RETURNING), so the
 * sender reads nothing more per email.
 */
export async function claimDueEmails(db: Db, input: { workerId: string; limit: number; leaseMs: number }): Promise<ClaimedEmail[]> {
  if (input.limit <= 0) return [];
  return db
    .update(outbox)
    .set({
      status: "sending",
      attempts: sql`${outbox.attempts} + 1`,
      leaseOwner: input.workerId,
      leaseExpiresAt: sql`now() + ${input.leaseMs} * interval '1 millisecond'`,
    })
    .where(
      sql`${outbox.id} in (
       select c.id from outbox c
         join mailboxes m on m.id = c.mailbox_id
        where ((c.status in ('queued', 'retrying') and c.next_attempt_at <= now())
               or (c.status = 'sending' and c.lease_expires_at < now()))
          and m.outgoing_delivery = 'server_side_sync'
          and m.outgoing_enabled
          and m.profile_id is not null
          and (m.approved_at is not null
               or not coalesce((select s.process_only_approved from org_settings s where s.id = 1), true))
        order by c.next_attempt_at, c.id
        limit ${input.limit}
        for update of c skip locked)`,
    )
    .returning()
    .then((rows) => rows.sort((x, y) => x.nextAttemptAt.getTime() - y.nextAttemptAt.getTime() || x.id - y.id));
}
