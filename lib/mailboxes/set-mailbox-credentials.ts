import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, can, type Actor } from "../auth/actor";
import { sealSecret } from "../crypto/seal-secret";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { loadProfilePolicy } from "../profiles/load-profile-policy";
import { parseInput } from "../validation";
import { mailboxFieldSchemas } from "./mailbox-input";
import { findVisibleMailbox, isMailboxOwner } from "./mailbox-view";
import type { Message } from "../i18n/message";
import { sealContext } from "../crypto/seal-context";

export type SetMailboxCredentialsInput = {
  id: string;
  userName: string;
  /** Blank keeps the stored password. */
  password: string;
  /** Removes the stored password. */
  clearPassword?: boolean;
  /** False when the request came over plain HTTP from elsewhere (lib/server/secure-channel.ts). */
  secureChannel: boolean;
};

const schema = z.object({ userName: mailboxFieldSchemas.userName, password: mailboxFieldSchemas.password });

/**
 * Stores a mailbox's own user name and password (sealed; write-only like profile
 * passwords). Allowed for mailbox:write (admins, managers), and for the mailbox's
 * owner when its profile takes credentials from the user or queue. A blank user
 * name means "sign in with the email address". Refused over plain HTTP unless the
 * deployment allows it (SPEC §1).
 */
export async function setMailboxCredentials(db: Db, actor: Actor | null, input: SetMailboxCredentialsInput): Promise<void> {
  assertCan(actor, "mailbox:read-own");
  const m = await findVisibleMailbox(db, actor, input.id);
  if (!m) throw new AppError("not_found", msg("error.mailbox.notYours"));
  if (!can(actor, "mailbox:write")) {
    if (!isMailboxOwner(actor, m)) throw new AppError("forbidden", msg("error.forbidden"));
    if (m.profileCredentialMode !== "mailbox") {
      throw new AppError(
        "forbidden",
        msg("error.mailbox.profileCredentials"),
      );
    }
  }
  const v = parseInput(schema, input);
  const policy = loadProfilePolicy();
  if (!input.secureChannel && !policy.allowCredentialsOverHttp) {
    const touched: Record<string, Message[]> = {};
    const refused = msg("error.insecureChannel");
    if (v.userName !== (m.userName ?? "")) touched.userName = [refused];
    if (v.password !== "") touched.password = [refused];
    if (input.clearPassword) touched.password = [refused];
    if (Object.keys(touched).length) throw new AppError("invalid", refused, { fieldErrors: touched });
    return;
  }
  const set: Partial<typeof mailboxes.$inferInsert> = { userName: v.userName || null, updatedAt: new Date() };
  if (v.password !== "") set.passwordSealed = sealSecret(v.password, sealContext(mailboxes.passwordSealed, m.id));
  else if (input.clearPassword) set.passwordSealed = null;
  await db.update(mailboxes).set(set).where(eq(mailboxes.id, m.id));
}
