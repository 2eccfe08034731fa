import type { Db } from "../../../db/client";
import { users } from "../../../db/schema/users";
import type { Actor } from "../../../lib/auth/actor";

export type Actors = { admin: Actor; manager: Actor; member: Actor };

/** One signed-in user per role, inserted directly (the password hash is never checked here). */
export async function insertActors(db: Db): Promise<Actors> {
  const make = async (role: Actor["role"], name: string): Promise<Actor> => {
    const email = `${role}@example.com`;
    const [u] = await db.insert(users).values({ email, name, role, passwordHash: "not-used" }).returning();
    return { id: u.id, email, name, role };
  };
  return { admin: await make("admin", "Ada Admin"), manager: await make("mailbox_manager", "Max Manager"), member: await make("member", "Mo Member") };
}

/** A POP3/SMTP profile form with credentials in the profile, as a browser would submit it. */
export function profileForm(over: Record<string, string> = {}): Record<string, string> {
  return {
    name: "Corporate mail",
    description: "Head office",
    ownerId: "",
    serverType: "pop3smtp",
    incomingProtocol: "imap",
    incomingHost: "imap.example.com",
    outgoingHost: "smtp.example.com",
    credentialMode: "profile",
    userName: "relay@example.com",
    password: "Corr3ct-Horse-Battery",
    useSameForOutgoing: "on",
    incomingPort: "",
    outgoingPort: "",
    incomingTls: "on",
    outgoingTls: "on",
    incomingAuthMethod: "auto",
    outgoingAuthMethod: "auto",
    processEmailFrom: "",
    minPollingIntervalMinutes: "5",
    maxConnections: "",
    ...over,
  };
}
