import { XMLParser } from "fast-xml-parser";
import type { DiscoveredServer, SocketType } from "./discovered-settings";

/** What an autoconfig document (Mozilla's config-v1.1 format, also the ISPDB's) says about one provider. */
export type AutoconfigDocument = {
  providerName: string | null;
  domains: string[];
  incoming: DiscoveredServer[];
  outgoing: DiscoveredServer[];
};

/** A host name a mail server may have: letters, digits and hyphens in dotted labels, a letter TLD (so no IP literal). */
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/** True for a DNS host name as a mail server's location (no IP literal, no single label such as "localhost"). */
export function isMailHostName(host: string): boolean {
  return HOST_NAME.test(host);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  // Values stay strings ("0993" is not a number to guess at); entities are not expanded.
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  trimValues: true,
  isArray: (name) => ["emailProvider", "domain", "incomingServer", "outgoingServer", "authentication"].includes(name),
});

type Node = Record<string, unknown>;

function textOf(v: unknown): string | null {
  if (typeof v === "string") return v.trim() || null;
  if (v && typeof v === "object" && typeof (v as Node)["#text"] === "string") return ((v as Node)["#text"] as string).trim() || null;
  return null;
}

function socketTypeOf(v: string | null): SocketType | null {
  switch (v?.toUpperCase()) {
    case "SSL":
      return "ssl";
    case "STARTTLS":
      return "starttls";
    case "PLAIN":
      return "plain";
    default:
      return null;
  }
}

function serverOf(node: unknown, allowed: readonly string[]): DiscoveredServer | null {
  if (!node || typeof node !== "object") return null;
  const n = node as Node;
  const protocol = String(n["@_type"] ?? "").toLowerCase();
  if (!allowed.includes(protocol)) return null;
  const host = textOf(n.hostname)?.toLowerCase() ?? "";
  const portText = textOf(n.port) ?? "";
  const socketType = socketTypeOf(textOf(n.socketType));
  if (!isMailHostName(host) || !/^\d{1,5}$/.test(portText) || !socketType) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  const authentication = (Array.isArray(n.authentication) ? n.authentication : []).map(textOf).filter((a): a is string => !!a).map((a) => a.toLowerCase());
  const userName = textOf(n.username);
  return { protocol: protocol as DiscoveredServer["protocol"], host, port, socketType, authentication, userName: userName && userName.length <= 320 ? userName : null };
}

/**
 * Parses an autoconfig document (config-v1.1.xml): the first email provider's
 * name, domains and its IMAP/POP3 and SMTP servers, in the document's order.
 * Servers with a host that is not a DNS name, a bad port or an unknown socket
 * type are left out. Returns null for anything that is not such a document. A
 * DOCTYPE is refused outright, so no entity can be declared, let alone expanded.
 */
export function parseAutoconfig(xml: string): AutoconfigDocument | null {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return null;
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch {
    return null;
  }
  const config = doc?.clientConfig as Node | undefined;
  const provider = (Array.isArray(config?.emailProvider) ? config.emailProvider[0] : undefined) as Node | undefined;
  if (!provider || typeof provider !== "object") return null;
  const incoming = (Array.isArray(provider.incomingServer) ? provider.incomingServer : []).map((s) => serverOf(s, ["imap", "pop3"])).filter((s): s is DiscoveredServer => !!s);
  const outgoing = (Array.isArray(provider.outgoingServer) ? provider.outgoingServer : []).map((s) => serverOf(s, ["smtp"])).filter((s): s is DiscoveredServer => !!s);
  if (incoming.length === 0 && outgoing.length === 0) return null;
  const name = textOf(provider.displayName) ?? textOf(provider.displayShortName);
  return {
    providerName: name ? name.slice(0, 200) : null,
    domains: (Array.isArray(provider.domain) ? provider.domain : []).map(textOf).filter((d): d is string => !!d).map((d) => d.toLowerCase()),
    incoming,
    outgoing,
  };
}
