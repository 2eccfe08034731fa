import { msg, type Message } from "../i18n/message";
import type { ServerType } from "../profiles/fill-profile-defaults";

/**
 * Why appointments, contacts and tasks (ACT) cannot use server-side sync with a
 * profile of this type, or null when they can. Every server type Mailroom has is
 * Gmail, Microsoft 365 over IMAP/POP3 or POP3/SMTP, none of which carries ACT (the guide's rule), so with no
 * profile at all the answer is also a refusal. Pure: the forms show the same text.
 */
export function actSyncRefusal(serverType: ServerType | null, profileName?: string | null): Message | null {
  if (serverType === null) return msg("validation.act.noProfile");
  const serverTypeKey = `profiles.serverType.${serverType}`;
  return profileName ? msg("validation.act.profile", { profile: profileName, serverTypeKey }) : msg("validation.act.unnamedProfile", { serverTypeKey });
}
