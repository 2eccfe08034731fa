import net from "node:net";

/**
 * Which peers may speak for the client through X-Forwarded-*: nobody (null), the
 * nearest `hops` proxies whatever their address, or the addresses in a list.
 */
export type ProxyTrust = null | { hops: number } | { list: net.BlockList };

/** What we know about one request once forwarded headers were weighed against the socket. */
export type ForwardedView = { client: string; proto: "http" | "https"; host: string | undefined };

/**
 * Parses MAILROOM_TRUSTED_PROXIES: unset/empty = trust nobody; a number = that many
 * proxies in front of us; else addresses or CIDR blocks (`10.0.0.0/8`, `::1`), comma separated.
 */
export function parseTrustedProxies(raw: string | undefined): ProxyTrust {
  const value = raw?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) > 0 ? { hops: Number(value) } : null;
  const list = new net.BlockList();
  for (const entry of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const type = net.isIPv6(address) ? "ipv6" : "ipv4";
    if (!net.isIP(address)) throw new Error(`MAILROOM_TRUSTED_PROXIES: "${entry}" is not an address or CIDR block`);
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return { list };
}

/**
 * The client's address, scheme and host for a request that reached our socket from
 * `peer`. Forwarded headers count only when the peer is a trusted proxy, and then only
 * as far back as the chain of trusted proxies goes: the client is the nearest address
 * in X-Forwarded-For that is not itself a trusted proxy. Scheme and host are the
 * nearest proxy's (the last value), since an earlier value may have come from the client.
 */
export function resolveForwarded(
  request: { peer: string; encrypted: boolean; host?: string; forwardedFor?: string; forwardedProto?: string; forwardedHost?: string },
  trust: ProxyTrust,
): ForwardedView {
  const peer = normalizeAddress(request.peer);
  const own: ForwardedView = { client: peer, proto: request.encrypted ? "https" : "http", host: request.host };
  if (!trust || !isTrusted(peer, 0, trust)) return own;
  const chain = [...splitList(request.forwardedFor).map(normalizeAddress), peer];
  // Walk from the socket towards the client while the hop is a trusted proxy.
  let i = chain.length - 1;
  while (i > 0 && isTrusted(chain[i], chain.length - 1 - i, trust)) i--;
  const proto = splitList(request.forwardedProto).pop()?.toLowerCase();
  return {
    client: chain[i],
    proto: proto === "https" ? "https" : proto === "http" ? "http" : own.proto,
    host: splitList(request.forwardedHost).pop() ?? request.host,
  };
}

/** Whether `address`, `depth` hops from our socket (0 = the socket's peer), is a trusted proxy. */
function isTrusted(address: string, depth: number, trust: Exclude<ProxyTrust, null>): boolean {
  if ("hops" in trust) return depth < trust.hops;
  const type = net.isIP(address);
  return type !== 0 && trust.list.check(address, type === 6 ? "ipv6" : "ipv4");
}

function splitList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; `[::1]:80` → `::1`; `10.0.0.1:5000` → `10.0.0.1`; anything else as given. */
export function normalizeAddress(address: string): string {
  let a = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  const mapped = /^::ffff:([\d.]+)$/i.exec(a);
  return mapped && net.isIPv4(mapped[1]) ? mapped[1] : a;
}
