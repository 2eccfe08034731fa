import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { isUuid } from "../is-uuid";
import { msg } from "../i18n/message";

/** Revokes a mailbox's ingest token (mailbox:write): handing mail in is refused until a new one is created. */
export async function revokeIngestToken(db: Db, actor: Actor | null, input: { mailboxId: string }): Promise<void> {
  assertCan(actor, "mailbox:write");
  const rows = isUuid(input.mailboxId)
    ? await db.update(mailboxes).set({ ingestTokenHash: null, ingestTokenCreatedAt: null, updatedAt: new Date() }).where(eq(mailboxes.id, input.mailboxId)).returning({ id: mailboxes.id })
    : [];
  if (rows.length === 0) throw new AppError("not_found", msg("ingest.notFound"));
}
