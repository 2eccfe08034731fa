import { allowedPorts } from "../env";

/** A connection refused before it was made: MAILROOM_ALLOWED_PORTS does not allow the port. */
export class PortPolicyError extends Error {
  readonly code = "EPORTPOLICY";
  constructor(
    readonly port: number,
    readonly allowedPorts: number[],
  ) {
    super(`Port ${port} is not allowed by MAILROOM_ALLOWED_PORTS (${allowedPorts.join(", ")}); no connection made`);
    this.name = "PortPolicyError";
  }
}

/**
 * Refuses to connect to a port the deployment's outbound policy does not allow.
 * Checked at every connection (sync, send, test & enable), not only when a profile
 * is saved: a profile saved before the policy, or edited in the database, must not
 * keep connecting. classifyMailError turns the error into a permanent failure of
 * that direction's port field, so the mailboxes alert.
 */
export function assertPortAllowed(port: number, allowed: number[] | null = allowedPorts()): void {
  if (allowed && !allowed.includes(port)) throw new PortPolicyError(port, allowed);
}
