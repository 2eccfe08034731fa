import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { mailboxes, type NewMailbox } from "../../../db/schema/mailboxes";
import { profiles, type NewProfile } from "../../../db/schema/profiles";
import { users } from "../../../db/schema/users";
import type { Actor } from "../../../lib/auth/actor";
import { sealSecret } from "../../../lib/crypto/seal-secret";

export type Actors = { admin: Actor; manager: Actor; member: Actor; other: Actor };

let n = 0;
const unique = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

/** A user of the role, inserted directly (the password hash is never checked here), with their mailbox. */
export async function makeActor(db: Db, role: Actor["role"], name = `${role} ${unique()}`): Promise<Actor> {
  const email = `${role}.${unique()}@example.com`;
  const [u] = await db.insert(users).values({ email, name, role, passwordHash: "not-used" }).returning();
  await db.insert(mailboxes).values({ kind: "user", name, emailAddress: email, userId: u.id, ownerId: u.id });
  return { id: u.id, email, name, role };
}

/** One actor per role, and a second member ("other") who owns nothing of the first's. */
export async function makeActors(db: Db): Promise<Actors> {
  return { admin: await makeActor(db, "admin"), manager: await makeActor(db, "mailbox_manager"), member: await makeActor(db, "member"), other: await makeActor(db, "member") };
}

export type ProfileOver = Partial<Omit<NewProfile, "passwordSealed" | "outgoingPasswordSealed">> & { password?: string; outgoingPassword?: string };

/** A POP3/SMTP profile row; credentials per mailbox unless `credentialMode: "profile"` with userName/password. */
export async function makeProfile(db: Db, over: ProfileOver = {}): Promise<string> {
  const { password, outgoingPassword, ...rest } = over;
  const [p] = await db
    .insert(profiles)
    .values({
      name: `Profile ${unique()}`,
      serverType: "pop3smtp",
      incomingProtocol: "imap",
      incomingHost: "127.0.0.1",
      outgoingHost: "127.0.0.1",
      incomingPort: 993,
      outgoingPort: 587,
      incomingTls: true,
      outgoingTls: false,
      credentialMode: "mailbox",
      ...rest,
      passwordSealed: password ? sealSecret(password, null) : null,
      outgoingPasswordSealed: outgoingPassword ? sealSecret(outgoingPassword, null) : null,
    })
    .returning({ id: profiles.id });
  return p.id;
}

/** A queue mailbox on `profileId` with server-side sync both ways, approved unless told otherwise. */
export async function makeMailbox(db: Db, over: Partial<NewMailbox> & { password?: string; approved?: boolean } = {}): Promise<string> {
  const { password, approved = true, ...rest } = over;
  const id = unique();
  const [m] = await db
    .insert(mailboxes)
    .values({
      kind: "queue",
      name: `Queue ${id}`,
      emailAddress: `queue.${id}@example.com`,
      incomingDelivery: "server_side_sync",
      outgoingDelivery: "server_side_sync",
      approvedAt: approved ? new Date() : null,
      ...rest,
      passwordSealed: password ? sealSecret(password, null) : null,
    })
    .returning({ id: mailboxes.id });
  return m.id;
}

export async function mailboxRow(db: Db, id: string) {
  const [m] = await db.select().from(mailboxes).where(eq(mailboxes.id, id));
  return m;
}
