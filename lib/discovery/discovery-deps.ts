import { Resolver } from "node:dns/promises";
import { allowedPorts, env, type Env } from "../env";
import { extraCa } from "../mail/extra-ca";
import type { DiscoveryDeps } from "./discover-settings";

/** How long each discovery step (one DNS query, one autoconfig fetch) may take. */
const STEP_TIMEOUT_MS = 5_000;
/** Autoconfig documents are a few kilobytes; anything much larger is not one. */
const MAX_DOCUMENT_BYTES = 100 * 1024;

/**
 * Discovery's resolver and fetch limits from the environment: the system's DNS
 * servers unless MAILROOM_DISCOVERY_DNS_SERVERS names others, and autoconfig at the
 * real hosts unless MAILROOM_DISCOVERY_AUTOCONFIG_BASE (tests only) redirects it —
 * which is also the only case in which a non-public address may be reached.
 */
export function discoveryDepsFromEnv(e: Env = env()): DiscoveryDeps {
  const resolver = new Resolver({ timeout: STEP_TIMEOUT_MS, tries: 1 });
  const servers = e.MAILROOM_DISCOVERY_DNS_SERVERS?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
  if (servers.length > 0) resolver.setServers(servers);
  const base = e.MAILROOM_DISCOVERY_AUTOCONFIG_BASE;
  return {
    resolver,
    autoconfigBase: base,
    allowedPorts: allowedPorts(e),
    fetchLimits: { timeoutMs: STEP_TIMEOUT_MS, maxBytes: MAX_DOCUMENT_BYTES, allowNonPublicAddresses: !!base, ca: extraCa() },
  };
}
