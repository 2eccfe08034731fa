// Pure: which provider's servers a host name belongs to (the basic-auth report).
const googleHost = /(^|\.)(gmail|googlemail)\.com$/i;
const microsoftHost = /(^|\.)(office365\.com|outlook\.com|office365\.us|outlook\.cn)$/i;

/** Postgres regular expressions equal to the ones above, for the report's query. */
export const googleHostPattern = "(^|\\.)(gmail|googlemail)\\.com$";
export const microsoftHostPattern = "(^|\\.)(office365\\.com|outlook\\.com|office365\\.us|outlook\\.cn)$";

/**
 * Google or Microsoft when a profile's server type or the host says so (Gmail and
 * Microsoft 365 profiles, or a POP3/SMTP profile pointed at their servers), else null.
 */
export function providerOfHost(serverType: string, host: string): "google" | "microsoft" | null {
  if (serverType === "gmail" || googleHost.test(host)) return "google";
  if (serverType === "microsoft365" || microsoftHost.test(host)) return "microsoft";
  return null;
}
