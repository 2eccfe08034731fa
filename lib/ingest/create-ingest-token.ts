import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { isUuid } from "../is-uuid";
import { hashIngestToken } from "./hash-ingest-token";
import { msg } from "../i18n/message";

/**
 * Creates (or replaces) the email-router ingest token of a mailbox (mailbox:write)
 * and returns it — the only time it is seen: only its hash is stored, and the
 * previous token stops working at once.
 */
export async function createIngestToken(db: Db, actor: Actor | null, input: { mailboxId: string }): Promise<string> {
  assertCan(actor, "mailbox:write");
  const token = `mri_${randomBytes(32).toString("base64url")}`;
  const rows = isUuid(input.mailboxId)
    ? await db
        .update(mailboxes)
        .set({ ingestTokenHash: hashIngestToken(token), ingestTokenCreatedAt: sql`now()`, updatedAt: new Date() })
        .where(eq(mailboxes.id, input.mailboxId))
        .returning({ id: mailboxes.id })
    : [];
  if (rows.length === 0) throw new AppError("not_found", msg("ingest.notFound"));
  return token;
}
