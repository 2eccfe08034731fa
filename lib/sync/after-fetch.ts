import { and, eq, inArray, like, sql } from "drizzle-orm";
import type { ImapFlow } from "imapflow";
import type { Db } from "../../db/client";
import { emails } from "../../db/schema/emails";
import { raiseAlert } from "../alerts/raise-alert";
import { msg } from "../i18n/message";
import type { Pop3Client } from "../mail/pop3";
import type { ProfileConnection } from "../profiles/get-profile-connection";
import { env } from "../env";
import { log } from "../log";
import { uidRange } from "./plan-batches";

export type AfterFetch = ProfileConnection["afterFetch"];

/** UIDs per STORE / MOVE / EXPUNGE command. */
const CHUNK = 500;

type Where = { db: Db; mailboxId: string; profileId: string; alertRecipientIds: (string | null)[] };

/**
 * Whether newly stored rows wait for an action. The flag is written in the store
 * transaction, so a crash between the commit and the action leaves it set and the next
 * sync applies the action then (applyImapAfterFetch / applyPop3AfterFetch run first).
 */
export function needsAfterFetch(a: AfterFetch, protocol: "imap" | "pop3"): boolean {
  if (protocol === "pop3") return a.action === "delete";
  return a.action !== "keep";
}

/**
 * Applies the profile's after-fetch action on an IMAP session with INBOX selected
 * read-write, to every stored row still pending, then clears their flags. Idempotent:
 * \Seen twice is harmless, and a UID already moved or deleted is no longer in INBOX (UID
 * commands on it do nothing), so it counts as done. Rows stored under another UIDVALIDITY
 * cannot be addressed any more and are cleared. A failure leaves the flags set (retried at
 * the next sync), raises one alert (repeats are counted on it) and never fails the sync:
 * the mail is stored already. Returns false when the action failed.
 */
export async function applyImapAfterFetch(client: ImapFlow, w: Where & { prefix: string; afterFetch: AfterFetch }): Promise<boolean> {
  const keys = await pendingKeys(w.db, w.mailboxId, "imap:");
  if (keys.length === 0) return true;
  const a = w.afterFetch;
  const current = keys.filter((k) => k.startsWith(w.prefix));
  // keep (the admin switched the action off) or rows of an older UIDVALIDITY: nothing to do on the server.
  const settled = a.action === "keep" ? keys : keys.filter((k) => !k.startsWith(w.prefix));
  await clearPending(w.db, w.mailboxId, settled);
  if (a.action === "keep" || current.length === 0) return true;
  const uids = current.map((k) => Number(k.slice(w.prefix.length))).sort((x, y) => x - y);
  try {
    if (a.action === "move") {
      const folder = a.folder?.trim() ?? "";
      const folders = folder ? await client.list() : [];
      if (!folders.some((f) => f.path === folder)) throw new Error(`the folder "${folder}" does not exist on the server (Mailroom creates none)`);
    }
    for (let i = 0; i < uids.length; i += CHUNK) {
      const range = uidRange(uids.slice(i, i + CHUNK));
      let ok: unknown;
      if (a.action === "mark_read") ok = await client.messageFlagsAdd(range, ["\\Seen"], { uid: true });
      else if (a.action === "delete") ok = await client.messageDelete(range, { uid: true });
      else ok = await client.messageMove(range, a.folder!.trim(), { uid: true });
      if (ok === false) throw new Error(`the server refused ${a.action} for UIDs ${range}`);
      await clearPending(w.db, w.mailboxId, uids.slice(i, i + CHUNK).map((u) => w.prefix + u));
    }
    return true;
  } catch (err) {
    await afterFetchFailed(w, a.action, current.length, err);
    return false;
  }
}

/**
 * Deletes (DELE) every stored POP3 message still pending that the server lists, and
 * returns the keys marked; the caller's QUIT commits the deletions and only then clears
 * the flags (clearPop3AfterFetch). A session that ends without QUIT deletes nothing
 * (RFC 1939), the flags stay and the next sync deletes again. Rows no longer listed are
 * gone already (done); with "keep" the flags are just cleared.
 */
export async function markPop3AfterFetch(client: Pop3Client, w: Where & { afterFetch: AfterFetch; listed: { n: number; uidl: string }[] }): Promise<string[]> {
  const keys = await pendingKeys(w.db, w.mailboxId, "pop3:");
  if (keys.length === 0) return [];
  const byKey = new Map(w.listed.map((u) => [`pop3:${u.uidl}`, u.n]));
  const gone = w.afterFetch.action !== "delete" ? keys : keys.filter((k) => !byKey.has(k));
  await clearPending(w.db, w.mailboxId, gone);
  if (w.afterFetch.action !== "delete") return [];
  const marked: string[] = [];
  try {
    for (const k of keys) {
      const n = byKey.get(k);
      if (n === undefined) continue;
      await client.dele(n);
      marked.push(k);
    }
  } catch (err) {
    await afterFetchFailed(w, "delete", keys.length - gone.length, err);
  }
  return marked;
}

/** After a successful QUIT: the marked messages are deleted on the server. */
export async function clearPop3AfterFetch(db: Db, mailboxId: string, keys: string[]): Promise<void> {
  await clearPending(db, mailboxId, keys);
}

/** Reports a failed action; the caller keeps the pending flags for the next sync. */
export async function afterFetchFailed(w: Where, action: string, count: number, err: unknown): Promise<void> {
  const detail = err instanceof Error ? err.message : String(err);
  log("warn", "after-fetch action failed", { mailboxId: w.mailboxId, action, pending: count, detail });
  await raiseAlert(w.db, {
    severity: "warning",
    recipientIds: w.alertRecipientIds,
    mailboxId: w.mailboxId,
    profileId: w.profileId,
    dedupKey: `incoming:after_fetch:${w.mailboxId}`,
    title: msg("alerts.text.afterFetchFailedTitle"),
    message: msg("alerts.text.afterFetchFailed", { count, action }),
    detail: `${action}: ${detail}`.slice(0, 500),
  });
}

async function pendingKeys(db: Db, mailboxId: string, prefix: string): Promise<string[]> {
  const rows = await db
    .select({ k: emails.sourceKey })
    .from(emails)
    .where(and(eq(emails.mailboxId, mailboxId), eq(emails.afterFetchPending, true), like(emails.sourceKey, `${prefix}%`)));
  return rows.map((r) => r.k);
}

async function clearPending(db: Db, mailboxId: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 5000) {
    await db
      .update(emails)
      .set({ afterFetchPending: sql`false` })
      .where(and(eq(emails.mailboxId, mailboxId), eq(emails.afterFetchPending, true), inArray(emails.sourceKey, keys.slice(i, i + 5000))));
  }
}

/** Test hook for the kill test: wait between the store commit and the after-fetch action. */
export async function pauseForTest(): Promise<void> {
  const ms = env().MAILROOM_TEST_AFTER_FETCH_PAUSE_MS;
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}
