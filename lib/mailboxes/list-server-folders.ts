import { eq } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, type Actor } from "../auth/actor";
import type { MailAuth } from "../credentials/mail-auth";
import { resolveMailAuth } from "../credentials/resolve-mail-auth";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { isUuid } from "../is-uuid";
import { connectImap } from "../mail/connect-imap";
import { classifyMailError } from "../mail/errors";
import { settingsError } from "../mail/settings-error";
import { incomingErrorContext, incomingSession } from "../sync/protocol-sync";
import { resolveSyncOptions } from "../sync/sync-options";
import { mailboxConnectionOf, type MailboxConnection } from "./get-mailbox-connection";

/** A folder the mail server lists (decoded from IMAP modified UTF-7 by imapflow), and whether the mailbox syncs it. */
export type ServerFolder = { path: string; specialUse: string | null; chosen: boolean; listed: boolean };

/**
 * Lists the IMAP folders of a mailbox's account besides INBOX (mailbox:write), signing in on
 * the server with the mailbox's own sealed credentials or its profile's — they never leave the
 * server. Folders that cannot be selected (\Noselect, \NonExistent) are left out. A chosen
 * folder the server no longer lists is returned too (chosen, so it can be unticked). Failing to
 * connect or sign in is an AppError saying why, as test & enable would.
 */
export async function listServerFolders(db: Db, actor: Actor | null, input: { mailboxId: string }): Promise<ServerFolder[]> {
  assertCan(actor, "mailbox:write");
  if (!isUuid(input.mailboxId)) throw notFound();
  const [m] = await db.select().from(mailboxes).where(eq(mailboxes.id, input.mailboxId));
  if (!m) throw notFound();
  let conn: MailboxConnection;
  try {
    conn = await mailboxConnectionOf(db, m);
  } catch (err) {
    throw new AppError("invalid", settingsError(err).message, { cause: err });
  }
  if (conn.incoming.protocol !== "imap") throw new AppError("invalid", msg("mailboxes.folders.imapOnly"));
  let auth: MailAuth | undefined;
  let client: ImapFlow | undefined;
  try {
    auth = await resolveMailAuth(db, conn.incoming.credentials);
    // The sync's timeouts (MAILROOM_MAIL_TIMEOUT_MS, the short greeting timeout): a silent server fails in seconds.
    const options = resolveSyncOptions({ workerId: "folder-list" });
    client = await connectImap(incomingSession(conn, auth, options));
    const listed = await client.list();
    await client.logout().catch(() => {});
    const chosen = new Set(m.imapFolders);
    const out = listed
      .filter((f) => f.path.toUpperCase() !== "INBOX" && !f.flags.has("\\Noselect") && !f.flags.has("\\NonExistent"))
      .map((f) => ({ path: f.path, specialUse: f.specialUse ?? null, chosen: chosen.has(f.path), listed: true }));
    const gone = m.imapFolders.filter((p) => !out.some((f) => f.path === p)).map((path) => ({ path, specialUse: null, chosen: true, listed: false }));
    return [...out, ...gone].sort((a, b) => a.path.localeCompare(b.path));
  } catch (err) {
    if (err instanceof AppError) throw err;
    const classified = classifyMailError(err, incomingErrorContext(conn, auth));
    throw new AppError("invalid", classified.message, { internal: classified.detail, cause: err });
  } finally {
    client?.close();
  }
}

function notFound(): AppError {
  return new AppError("not_found", msg("error.mailbox.gone"));
}
