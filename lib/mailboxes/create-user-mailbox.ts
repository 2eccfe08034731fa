import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { profiles } from "../../db/schema/profiles";
import { orgSettings } from "../../db/schema/settings";
import type { User } from "../../db/schema/users";

/**
 * Gives a new user their mailbox record (SPEC §3: every user has one). When a
 * profile is the default for new mailboxes, it and the org's delivery methods are
 * applied; otherwise the mailbox starts with no profile and delivery "none".
 * Runs inside the caller's transaction so a user never exists without a mailbox.
 */
export async function createUserMailbox(tx: DbOrTx, user: Pick<User, "id" | "name" | "email">): Promise<void> {
  const [defaultProfile] = await tx.select({ id: profiles.id }).from(profiles).where(eq(profiles.isDefault, true)).limit(1);
  const [settings] = await tx.select().from(orgSettings).where(eq(orgSettings.id, 1)).limit(1);
  await tx.insert(mailboxes).values({
    kind: "user",
    name: user.name,
    emailAddress: user.email,
    userId: user.id,
    ownerId: user.id,
    profileId: defaultProfile?.id ?? null,
    incomingDelivery: defaultProfile ? (settings?.incomingDelivery ?? "server_side_sync") : "none",
    outgoingDelivery: defaultProfile ? (settings?.outgoingDelivery ?? "server_side_sync") : "none",
    actDelivery: defaultProfile ? (settings?.actDelivery ?? "none") : "none",
  });
}
