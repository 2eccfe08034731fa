// Pure: imported by the profile form on the client as well as by the server, so
// the admin sees the same values the server will store. No node: imports here.

export type ServerType = "gmail" | "pop3smtp" | "microsoft365";
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
};

/** Gmail's fixed servers (SPEC §1). */
export const gmailServers = {
  imap: { host: "imap.gmail.com", port: 993 },
  pop3: { host: "pop.gmail.com", port: 995 },
  smtp: { host: "smtp.gmail.com", port: 465 },
} as const;

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
 * TLS, always (Gmail serves nothing else). POP3/SMTP: only blank ports, from the
 * protocol and the TLS choice; given values are kept.
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
  return {
    ...p,
    incomingPort: p.incomingPort ?? defaultIncomingPort(p.incomingProtocol, p.incomingTls),
    outgoingPort: p.outgoingPort ?? defaultOutgoingPort(p.outgoingTls),
  };
}
