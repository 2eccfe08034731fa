import type { ServerType } from "../profiles/fill-profile-defaults";

const serverTypeNames: Record<ServerType, string> = { gmail: "Gmail", microsoft365: "Microsoft 365", pop3smtp: "POP3/SMTP" };

/**
 * Why appointments, contacts and tasks (ACT) cannot use server-side sync with a
 * profile of this type, or null when they can. Every server type Mailroom has is
 * Gmail, Microsoft 365 over IMAP/POP3 or POP3/SMTP, none of which carries ACT (the guide's rule), so with no
 * profile at all the answer is also a refusal. Pure: the forms show the same text.
 */
export function actSyncRefusal(serverType: ServerType | null, profileName?: string | null): string | null {
  const rule = "Appointments, contacts and tasks cannot be synchronised through a POP3/SMTP, Gmail or Microsoft 365 (IMAP/POP3) profile";
  const fix = 'Choose "email router" or "none" for appointments, contacts and tasks.';
  if (serverType === null) return `${rule}, and those are the only server profiles Mailroom supports. ${fix}`;
  const which = profileName ? `the profile "${profileName}"` : "the profile";
  return `${rule}, and ${which} is a ${serverTypeNames[serverType]} profile. ${fix}`;
}
