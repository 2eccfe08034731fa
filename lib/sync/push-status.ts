import type { Mailbox } from "../../db/schema/mailboxes";
import { HELD_STATES } from "./push-sessions-sql";

/**
 * Whether new mail of a mailbox is pushed, for its page: "connected" since when (over
 * IDLE, or NOOPs where the server offers none), or why it is polled instead.
 */
export type PushStatus =
  | { kind: "connected"; since: Date; noop: boolean }
  | { kind: "polls"; reason: "pop3" | "off" | "first_sync" | "connecting" | "reconnecting" | "no_slot" | "failed" | "waiting" };

/**
 * The push status of mailbox `m` whose profile has push `pushEnabled` and protocol
 * `protocol`; null when the worker does not fetch its mail (not server-side sync, or
 * incoming off). A state is only believed while the lease that wrote it is live. Pure.
 */
export function pushStatusOf(
  m: Pick<Mailbox, "incomingDelivery" | "incomingEnabled" | "syncedFrom" | "leaseOwner" | "leaseExpiresAt" | "pushConnectedAt" | "pushState">,
  profile: { pushEnabled: boolean; protocol: string } | null,
  now: Date = new Date(),
): PushStatus | null {
  if (m.incomingDelivery !== "server_side_sync" || !m.incomingEnabled || !profile) return null;
  if (profile.protocol !== "imap") return { kind: "polls", reason: "pop3" };
  if (!profile.pushEnabled) return { kind: "polls", reason: "off" };
  const leased = !!m.leaseOwner && !!m.leaseExpiresAt && m.leaseExpiresAt.getTime() > now.getTime();
  const held = leased && (HELD_STATES as readonly string[]).includes(m.pushState ?? "");
  if (held && m.pushConnectedAt && (m.pushState === "idle" || m.pushState === "noop")) {
    return { kind: "connected", since: m.pushConnectedAt, noop: m.pushState === "noop" };
  }
  if (m.syncedFrom === null) return { kind: "polls", reason: "first_sync" };
  if (held && m.pushState === "reconnecting") return { kind: "polls", reason: "reconnecting" };
  if (held) return { kind: "polls", reason: "connecting" };
  if (m.pushState === "no_slot") return { kind: "polls", reason: "no_slot" };
  if (m.pushState === "failed") return { kind: "polls", reason: "failed" };
  return { kind: "polls", reason: "waiting" };
}
