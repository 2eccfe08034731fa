import { and, eq, notInArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes, mailboxFolders } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg, type Message } from "../i18n/message";
import { isUuid } from "../is-uuid";

/** At most this many folders besides INBOX per mailbox (each costs a SELECT and a SEARCH per sync). */
export const MAX_FOLDERS = 50;
/** The longest folder path accepted. */
const MAX_PATH = 500;

/**
 * Chooses the IMAP folders a mailbox syncs besides INBOX (mailbox:write). Each chosen folder
 * gets its own cursor at its first sync; a folder no longer chosen loses its cursor but the
 * mail stored from it is kept (and still lists it). Only for a mailbox on an IMAP profile.
 * A changed choice makes the mailbox due now (not sooner than "now" for one due already).
 * Field errors are on `folders`.
 */
export async function setMailboxFolders(db: Db, actor: Actor | null, input: { mailboxId: string; folders: string[] }): Promise<void> {
  assertCan(actor, "mailbox:write");
  if (!isUuid(input.mailboxId)) throw notFound();
  const folders = [...new Set(input.folders.map((f) => f.trim()).filter((f) => f.length > 0))];
  await db.transaction(async (tx) => {
    const [m] = await tx
      .select({ id: mailboxes.id, protocol: profiles.incomingProtocol, folders: mailboxes.imapFolders })
      .from(mailboxes)
      .leftJoin(profiles, eq(profiles.id, mailboxes.profileId))
      .where(eq(mailboxes.id, input.mailboxId))
      .for("update", { of: mailboxes });
    if (!m) throw notFound();
    const errors: Message[] = [];
    if (m.protocol !== "imap" && folders.length > 0) errors.push(msg("mailboxes.folders.imapOnly"));
    if (folders.length > MAX_FOLDERS) errors.push(msg("mailboxes.folders.tooMany", { max: MAX_FOLDERS }));
    if (folders.some((f) => f.toUpperCase() === "INBOX")) errors.push(msg("mailboxes.folders.inboxAlways"));
    const long = folders.find((f) => f.length > MAX_PATH || /[\u0000-\u001f]/.test(f));
    if (long) errors.push(msg("mailboxes.folders.badName", { folder: long.slice(0, 80), max: MAX_PATH }));
    if (errors.length > 0) throw new AppError("invalid", errors[0], { fieldErrors: { folders: errors } });
    const changed = folders.join("\u0000") !== m.folders.join("\u0000");
    // A changed choice is due at once: a worker polling it syncs the new folders now, and one holding it for
    // push ends its session (the moved next sync is NOTIFYed) and picks the new folders up.
    await tx
      .update(mailboxes)
      .set({ imapFolders: folders, updatedAt: new Date(), ...(changed ? { nextSyncAt: sql`least(${mailboxes.nextSyncAt}, now())` } : {}) })
      .where(eq(mailboxes.id, m.id));
    await tx
      .delete(mailboxFolders)
      .where(folders.length > 0 ? and(eq(mailboxFolders.mailboxId, m.id), notInArray(mailboxFolders.path, folders)) : eq(mailboxFolders.mailboxId, m.id));
  });
}

const notFound = () => new AppError("not_found", msg("error.mailbox.gone"));
