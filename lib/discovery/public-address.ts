import net from "node:net";

const blocked = new net.BlockList();
// Not the public internet: "this" network, private, shared (CGN), loopback, link-local,
// protocol assignments, documentation, benchmarking, multicast and reserved.
for (const [prefix, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24],
  ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked.addSubnet(prefix, bits, "ipv4");
for (const [prefix, bits] of [
  ["::", 128], ["::1", 128], ["64:ff9b::", 96], ["64:ff9b:1::", 48], ["100::", 64], ["2001:db8::", 32], ["2002::", 16],
  ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8],
] as const) blocked.addSubnet(prefix, bits, "ipv6");

/**
 * True when `address` (an IP literal) is not a public internet address: private,
 * loopback, link-local, carrier-grade NAT, documentation, multicast, reserved, or
 * an IPv4-mapped IPv6 address of one of those. Settings discovery refuses to fetch
 * from such addresses (a server-side request to an attacker-chosen name must not
 * reach the organisation's own network). Anything that is not an IP is refused too.
 */
export function isNonPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1], "ipv4");
    if (/^::ffff:/i.test(address)) return true;
    return blocked.check(address, "ipv6");
  }
  return true;
}
