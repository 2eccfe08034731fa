import { asc, count, eq, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { assertCan, type Actor } from "../auth/actor";
import { googleHostPattern, microsoftHostPattern, providerOfHost } from "./provider-of-host";

/** One mailbox still sending a password to Google or Microsoft 365, per direction. */
export type BasicAuthRow = {
  mailboxId: string;
  mailboxName: string;
  emailAddress: string;
  profileId: string;
  profileName: string;
  incomingProtocol: "imap" | "pop3";
  /** The provider of each direction that uses a password against its servers; null = that direction is fine. */
  incoming: "google" | "microsoft" | null;
  outgoing: "google" | "microsoft" | null;
};

export type BasicAuthPage = { items: BasicAuthRow[]; total: number; page: number; pageSize: number };

const PAGE_SIZE = 50;

/** A direction that syncs and authenticates with a password against Google's or Microsoft's servers. */
function passwordTo(host: SQL, authMethod: SQL, delivery: SQL): SQL {
  return sql`(${delivery} = 'server_side_sync' and ${authMethod} <> 'xoauth2' and (${profiles.serverType} in ('gmail', 'microsoft365') or ${host} ~* ${googleHostPattern} or ${host} ~* ${microsoftHostPattern}))`;
}

/**
 * The basic-auth report (admins: profile:write): mailboxes whose incoming or
 * outgoing sync still signs in with a password to Google or Microsoft 365 servers
 * — by the profile's server type or by host name (gmail.com, googlemail.com,
 * office365.com, outlook.com) — paged by mailbox name, 50 a page.
 */
export async function listBasicAuthMailboxes(db: Db, actor: Actor | null, input: { page?: number | string } = {}): Promise<BasicAuthPage> {
  assertCan(actor, "profile:write");
  const incoming = passwordTo(sql`${profiles.incomingHost}`, sql`${profiles.incomingAuthMethod}`, sql`${mailboxes.incomingDelivery}`);
  const outgoing = passwordTo(sql`${profiles.outgoingHost}`, sql`${profiles.outgoingAuthMethod}`, sql`${mailboxes.outgoingDelivery}`);
  const where = or(incoming, outgoing);
  const [{ total }] = await db.select({ total: count() }).from(mailboxes).innerJoin(profiles, eq(profiles.id, mailboxes.profileId)).where(where);
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const asked = Number(input.page);
  const page = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, pageCount) : 1;
  const rows = await db
    .select({
      mailboxId: mailboxes.id,
      mailboxName: mailboxes.name,
      emailAddress: mailboxes.emailAddress,
      profileId: profiles.id,
      profileName: profiles.name,
      serverType: profiles.serverType,
      incomingProtocol: profiles.incomingProtocol,
      incomingHost: profiles.incomingHost,
      outgoingHost: profiles.outgoingHost,
      incomingFlag: sql<boolean>`${incoming}`,
      outgoingFlag: sql<boolean>`${outgoing}`,
    })
    .from(mailboxes)
    .innerJoin(profiles, eq(profiles.id, mailboxes.profileId))
    .where(where)
    .orderBy(asc(sql`lower(${mailboxes.name})`), asc(mailboxes.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  const items = rows.map((r) => ({
    mailboxId: r.mailboxId,
    mailboxName: r.mailboxName,
    emailAddress: r.emailAddress,
    profileId: r.profileId,
    profileName: r.profileName,
    incomingProtocol: r.incomingProtocol,
    incoming: r.incomingFlag ? providerOfHost(r.serverType, r.incomingHost) : null,
    outgoing: r.outgoingFlag ? providerOfHost(r.serverType, r.outgoingHost) : null,
  }));
  return { items, total, page, pageSize: PAGE_SIZE };
}
