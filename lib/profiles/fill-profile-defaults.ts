// Pure: imported by the profile form on the client as well as by the server, so
// the admin sees the same values the server will store. No node: imports here.

import type { OAuthCloud } from "../oauth/oauth-presets";

export const serverTypes = ["gmail", "microsoft365", "pop3smtp"] as const;
export type ServerType = (typeof serverTypes)[number];
export type IncomingProtocol = "imap" | "pop3";

/** The fields that decide a profile's locations and ports. A blank port is null. */
export type ProfileLocation = {
  serverType: ServerType;
  incomingProtocol: IncomingProtocol;
  incomingHost: string;
  outgoingHost: string;
  incomingPort: number | null;
  outgoingPort: number | null;
  incomingTls: boolean;
  outgoingTls: boolean;
  /** Microsoft 365's cloud decides its hosts (worldwide, US Government, China); absent = worldwide. */
  oauthCloud?: OAuthCloud | null;
};

/** Gmail's fixed servers (SPEC §1). */
export const gmailServers = {
  imap: { host: "imap.gmail.com", port: 993 },
  pop3: { host: "pop.gmail.com", port: 995 },
  smtp: { host: "smtp.gmail.com", port: 465 },
} as const;

/**
 * Exchange Online's IMAP/POP3 (implicit TLS) and SMTP submission (587, STARTTLS)
 * hosts per Microsoft cloud (SPEC §1).
 */
export const microsoft365Servers: Record<OAuthCloud, { imap: { host: string; port: number }; pop3: { host: string; port: number }; smtp: { host: string; port: number } }> = {
  global: { imap: { host: "outlook.office365.com", port: 993 }, pop3: { host: "outlook.office365.com", port: 995 }, smtp: { host: "smtp.office365.com", port: 587 } },
  usgov: { imap: { host: "outlook.office365.us", port: 993 }, pop3: { host: "outlook.office365.us", port: 995 }, smtp: { host: "smtp.office365.us", port: 587 } },
  china: { imap: { host: "partner.outlook.cn", port: 993 }, pop3: { host: "partner.outlook.cn", port: 995 }, smtp: { host: "smtp.partner.outlook.cn", port: 587 } },
};

/** Whether a server type has fixed servers that fillProfileDefaults fills in (the form shows them read-only). */
export function hasFixedServers(serverType: ServerType): boolean {
  return serverType === "gmail" || serverType === "microsoft365";
}

/** The usual port for an incoming protocol: IMAP 143 / 993 with TLS, POP3 110 / 995 with TLS. */
export function defaultIncomingPort(protocol: IncomingProtocol, tls: boolean): number {
  if (protocol === "imap") return tls ? 993 : 143;
  return tls ? 995 : 110;
}

/** The usual SMTP port: 465 with implicit TLS, else 587 (submission, upgraded with STARTTLS). */
export function defaultOutgoingPort(tls: boolean): number {
  return tls ? 465 : 587;
}

/**
 * Fills what the server type and protocol decide. Gmail: its locations, ports and
 * TLS, always (Gmail serves nothing else). Microsoft 365: likewise, for its cloud;
 * its SMTP is port 587 upgraded with STARTTLS (TLS off, as the form means it).
 * POP3/SMTP: only blank ports, from the protocol and the TLS choice; given values are kept.
 */
export function fillProfileDefaults<T extends ProfileLocation>(p: T): T & { incomingPort: number; outgoingPort: number } {
  if (p.serverType === "gmail") {
    const incoming = gmailServers[p.incomingProtocol];
    return {
      ...p,
      incomingHost: incoming.host,
      incomingPort: incoming.port,
      incomingTls: true,
      outgoingHost: gmailServers.smtp.host,
      outgoingPort: gmailServers.smtp.port,
      outgoingTls: true,
    };
  }
  if (p.serverType === "microsoft365") {
    const servers = microsoft365Servers[p.oauthCloud ?? "global"];
    const incoming = servers[p.incomingProtocol];
    return {
      ...p,
      incomingHost: incoming.host,
      incomingPort: incoming.port,
      incomingTls: true,
      outgoingHost: servers.smtp.host,
      outgoingPort: servers.smtp.port,
      outgoingTls: false,
    };
  }
  return {
    ...p,
    incomingPort: p.incomingPort ?? defaultIncomingPort(p.incomingProtocol, p.incomingTls),
    outgoingPort: p.outgoingPort ?? defaultOutgoingPort(p.outgoingTls),
  };
}
