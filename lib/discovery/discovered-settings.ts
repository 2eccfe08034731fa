// Pure types and helpers, imported by the profile form on the client as well as by the server.

/** How a server is reached: implicit TLS ("SSL"), STARTTLS, or no encryption at all. */
export type SocketType = "ssl" | "starttls" | "plain";

export type DiscoveredServer = {
  protocol: "imap" | "pop3" | "smtp";
  host: string;
  port: number;
  socketType: SocketType;
  /** Authentication the source lists, lower-cased: "password-cleartext", "oauth2", … (empty: not said). */
  authentication: string[];
  /** The user name pattern, e.g. "%EMAILADDRESS%" (null: not said). */
  userName: string | null;
};

/** Where a proposal came from, in the order discovery asks. */
export const discoverySources = ["ispdb", "autoconfig", "autoconfig-wellknown", "srv", "autoconfig-http", "mx-google", "mx-microsoft"] as const;
export type DiscoverySource = (typeof discoverySources)[number];

/** Settings proposed for an address, and where they came from, for the admin to review before saving. */
export type DiscoveredSettings = {
  source: DiscoverySource;
  /** What was asked: the URL fetched, the DNS name queried, the bundled entry's domain. */
  sourceDetail: string;
  /** The provider's display name, when the source gives one. */
  providerName: string | null;
  serverType: "gmail" | "microsoft365" | "pop3smtp";
  incoming: DiscoveredServer | null;
  outgoing: DiscoveredServer | null;
  /** Sign in with OAuth 2.0 (the source lists only OAuth 2.0, or it is Gmail / Microsoft 365). */
  oauth: boolean;
  /**
   * The source cannot be trusted as it stands (fetched without TLS, or a server
   * without encryption): never applied without the admin's review, which the form always asks for.
   */
  warnings: DiscoveryWarning[];
};

export type DiscoveryWarning = "insecure-source" | "unencrypted-server" | "port-not-allowed" | "oauth-required" | "no-outgoing" | "no-incoming";

/** The `%EMAILADDRESS%` / `%EMAILLOCALPART%` / `%EMAILDOMAIN%` placeholders of the autoconfig format, filled. */
export function fillUserName(pattern: string | null, email: string): string | null {
  if (!pattern) return null;
  const at = email.lastIndexOf("@");
  return pattern
    .replace(/%EMAILADDRESS%/g, email)
    .replace(/%EMAILLOCALPART%/g, email.slice(0, at))
    .replace(/%EMAILDOMAIN%/g, email.slice(at + 1));
}

/**
 * The server a profile should use among those a source lists: encrypted before
 * unencrypted, then (for incoming) IMAP before POP3, then a port the outbound
 * policy allows, then the source's own order.
 */
export function chooseServer(servers: DiscoveredServer[], allowedPorts: number[] | null): DiscoveredServer | null {
  const rank = (s: DiscoveredServer) =>
    (s.socketType === "plain" ? 100 : 0) + (allowedPorts && !allowedPorts.includes(s.port) ? 10 : 0) + (s.protocol === "pop3" ? 1 : 0);
  return [...servers].map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)[0]?.s ?? null;
}
