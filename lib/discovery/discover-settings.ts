import type { Resolver } from "node:dns/promises";
import { assertCan, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { log } from "../log";
import { providerOfHost } from "../oauth/provider-of-host";
import { chooseServer, type DiscoveredServer, type DiscoveredSettings, type DiscoverySource, type DiscoveryWarning, type SocketType } from "./discovered-settings";
import { fetchAutoconfigDocument, type AutoconfigFetchLimits } from "./fetch-autoconfig";
import { findKnownProvider } from "./known-providers";
import { isMailHostName, parseAutoconfig, type AutoconfigDocument } from "./parse-autoconfig";

/** What discovery may use: injected so that tests run on loopback (a local DNS stub, a local HTTPS server). */
export type DiscoveryDeps = {
  resolver: Pick<Resolver, "resolveMx" | "resolveSrv">;
  fetchLimits: AutoconfigFetchLimits;
  /**
   * Tests only: where autoconfig documents are fetched instead of https://<host>, as
   * `<base>/<host>/<path>` (e.g. https://127.0.0.1:4443/autoconfig.example.com/mail/config-v1.1.xml).
   */
  autoconfigBase?: string;
  /**
   * Tests only: the same for the plain-HTTP autoconfig URL (http://autoconfig.<domain>/…).
   * With `autoconfigBase` set and this not, the plain-HTTP step is skipped, so a test never reaches a real host.
   */
  autoconfigHttpBase?: string;
  /** The outbound port policy (MAILROOM_ALLOWED_PORTS): a proposal prefers ports it allows and warns about others. */
  allowedPorts: number[] | null;
};

/** One place discovery looked, and what it found there (shown to the admin under the proposal). */
export type DiscoveryAttempt = { source: DiscoverySource | "mx"; detail: string; outcome: "found" | "not_found" | "failed" };

export type DiscoveryResult = { email: string; domain: string; proposal: DiscoveredSettings | null; attempts: DiscoveryAttempt[] };

const EMAIL = /^[^\s@"<>()[\],;:\\]{1,64}@([^\s@]{1,253})$/;

/** The address's domain, lower-case, when it is an address with a DNS host name as its domain; else null. */
export function emailDomain(email: string): string | null {
  const m = EMAIL.exec(email.trim());
  if (!m) return null;
  const domain = m[1].toLowerCase().replace(/\.$/, "");
  return isMailHostName(domain) ? domain : null;
}

/** The autoconfig URLs for a domain, in the order they are tried (Mozilla's): the autoconfig host, then the domain's well-known path. */
export function autoconfigUrls(domain: string, email: string, base?: string): { source: "autoconfig" | "autoconfig-wellknown"; url: string }[] {
  const at = (host: string, path: string) => (base ? `${base.replace(/\/+$/, "")}/${host}${path}` : `https://${host}${path}`);
  return [
    { source: "autoconfig", url: at(`autoconfig.${domain}`, `/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`) },
    { source: "autoconfig-wellknown", url: at(domain, "/.well-known/autoconfig/mail/config-v1.1.xml") },
  ];
}

/**
 * The one plain-HTTP URL Mozilla's scheme still tries (http://autoconfig.<domain>/…), or
 * null when it must not be tried (tests pointed at local servers without an HTTP one).
 * Whatever comes from it can have been changed on the way: it is proposed last but
 * one and always flagged.
 */
export function autoconfigHttpUrl(domain: string, email: string, deps: Pick<DiscoveryDeps, "autoconfigBase" | "autoconfigHttpBase">): string | null {
  const path = `/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`;
  if (deps.autoconfigHttpBase) return `${deps.autoconfigHttpBase.replace(/\/+$/, "")}/autoconfig.${domain}${path}`;
  return deps.autoconfigBase ? null : `http://autoconfig.${domain}${path}`;
}

/** The RFC 6186 (and RFC 8314 for submissions) service records, their protocol and how each is secured. */
const SRV_SERVICES: { name: string; protocol: DiscoveredServer["protocol"]; socketType: SocketType }[] = [
  { name: "_imaps._tcp", protocol: "imap", socketType: "ssl" },
  { name: "_imap._tcp", protocol: "imap", socketType: "starttls" },
  { name: "_pop3s._tcp", protocol: "pop3", socketType: "ssl" },
  { name: "_pop3._tcp", protocol: "pop3", socketType: "starttls" },
  { name: "_submissions._tcp", protocol: "smtp", socketType: "ssl" },
  { name: "_submission._tcp", protocol: "smtp", socketType: "starttls" },
];

const GOOGLE_MX = /(^|\.)(google\.com|googlemail\.com)\.?$/i;
const MICROSOFT_MX = /\.mail\.protection\.outlook\.com\.?$/i;

/**
 * Proposes server settings for an email address, for an admin to review on the
 * profile form (nothing is saved here). Asks, in this order of trust: Mailroom's
 * bundled provider list; Mozilla autoconfig at https://autoconfig.<domain>/ and
 * https://<domain>/.well-known/autoconfig/ (see fetchAutoconfigDocument);
 * RFC 6186 SRV records; autoconfig over plain HTTP (flagged: it may have been
 * changed on the way); and the domain's MX records, which reveal domains hosted by
 * Google (Gmail preset, OAuth 2.0) or Microsoft (Microsoft 365 preset). The network
 * sources are asked at once, each within its own time limit; the most trusted one
 * that answers wins. Admins only (profile:write), checked here.
 */
export async function discoverSettings(actor: Actor | null, input: { email: string }, deps: DiscoveryDeps): Promise<DiscoveryResult> {
  assertCan(actor, "profile:write");
  const email = input.email.trim();
  const domain = emailDomain(email);
  if (!domain) throw new AppError("invalid", msg("discovery.error.email"), { fieldErrors: { discoverEmail: [msg("discovery.error.email")] } });

  const attempts: DiscoveryAttempt[] = [];
  const known = findKnownProvider(domain);
  if (known) {
    attempts.push({ source: "ispdb", detail: domain, outcome: "found" });
    const doc: AutoconfigDocument = { providerName: known.name, domains: known.domains, incoming: known.incoming ?? [], outgoing: known.outgoing ?? [] };
    return { email, domain, attempts, proposal: proposalOf("ispdb", domain, doc, deps, { preset: known.preset, oauth: known.oauth }) };
  }
  attempts.push({ source: "ispdb", detail: domain, outcome: "not_found" });

  const urls = autoconfigUrls(domain, email, deps.autoconfigBase);
  const httpUrl = autoconfigHttpUrl(domain, email, deps);
  const [configs, httpConfig, srv, mx] = await Promise.all([
    Promise.all(urls.map(({ url }) => fetchDocument(url, deps))),
    httpUrl ? fetchDocument(httpUrl, deps, true) : Promise.resolve(null),
    lookupSrv(domain, deps),
    lookupMx(domain, deps),
  ]);

  let proposal: DiscoveredSettings | null = null;
  urls.forEach(({ source, url }, i) => {
    const got = configs[i];
    attempts.push({ source, detail: url, outcome: got === "failed" ? "failed" : got ? "found" : "not_found" });
    if (!proposal && got && got !== "failed") proposal = proposalOf(source, url, got, deps);
  });
  attempts.push({ source: "srv", detail: SRV_SERVICES.map((s) => `${s.name}.${domain}`).join(", "), outcome: srv ? "found" : "not_found" });
  if (!proposal && srv) proposal = proposalOf("srv", srv.names.join(", "), srv.doc, deps);
  if (httpUrl) {
    attempts.push({ source: "autoconfig-http", detail: httpUrl, outcome: httpConfig === "failed" ? "failed" : httpConfig ? "found" : "not_found" });
    if (!proposal && httpConfig && httpConfig !== "failed") proposal = proposalOf("autoconfig-http", httpUrl, httpConfig, deps);
  }

  const mxSource: DiscoverySource | null = mx.some((h) => GOOGLE_MX.test(h)) ? "mx-google" : mx.some((h) => MICROSOFT_MX.test(h)) ? "mx-microsoft" : null;
  attempts.push({ source: mxSource ?? "mx", detail: mx.length ? `MX ${domain}: ${mx.slice(0, 3).join(", ")}` : `MX ${domain}`, outcome: mxSource ? "found" : "not_found" });
  if (!proposal && mxSource) {
    const preset = mxSource === "mx-google" ? "gmail" : "microsoft365";
    proposal = proposalOf(mxSource, `MX ${domain}: ${mx.find((h) => (mxSource === "mx-google" ? GOOGLE_MX : MICROSOFT_MX).test(h))}`, { providerName: null, domains: [domain], incoming: [], outgoing: [] }, deps, { preset, oauth: true });
  }
  return { email, domain, attempts, proposal };
}

/** A document, null when there is none there (no answer, 404, not a config), or "failed" when the fetch was refused or broke. */
async function fetchDocument(url: string, deps: DiscoveryDeps, allowPlainHttp = false): Promise<AutoconfigDocument | null | "failed"> {
  try {
    return parseAutoconfig(await fetchAutoconfigDocument(url, deps.fetchLimits, { allowPlainHttp }));
  } catch (err) {
    // The query (the address typed) stays out of the log.
    log("info", "settings discovery: no autoconfig document", { url: url.split("?")[0], reason: (err as { reason?: string }).reason, err: (err as Error).message });
    const reason = (err as { reason?: string }).reason;
    return reason === "http_status" || reason === "no_such_host" ? null : "failed";
  }
}

async function lookupSrv(domain: string, deps: DiscoveryDeps): Promise<{ doc: AutoconfigDocument; names: string[] } | null> {
  const found = await Promise.all(
    SRV_SERVICES.map(async (service) => {
      const name = `${service.name}.${domain}`;
      try {
        const records = await deps.resolver.resolveSrv(name);
        // Lowest priority first, then the heaviest weight; "." means "not offered here" (RFC 2782).
        const best = records.filter((r) => r.name && r.name !== "." && isMailHostName(r.name.replace(/\.$/, "")) && r.port > 0).sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
        if (!best) return null;
        return { name, server: { protocol: service.protocol, host: best.name.replace(/\.$/, "").toLowerCase(), port: best.port, socketType: service.socketType, authentication: [], userName: "%EMAILADDRESS%" } satisfies DiscoveredServer };
      } catch {
        return null;
      }
    }),
  );
  const hits = found.filter((f): f is NonNullable<typeof f> => !!f);
  if (hits.length === 0) return null;
  return {
    names: hits.map((h) => h.name),
    doc: { providerName: null, domains: [domain], incoming: hits.filter((h) => h.server.protocol !== "smtp").map((h) => h.server), outgoing: hits.filter((h) => h.server.protocol === "smtp").map((h) => h.server) },
  };
}

async function lookupMx(domain: string, deps: DiscoveryDeps): Promise<string[]> {
  try {
    return (await deps.resolver.resolveMx(domain)).sort((a, b) => a.priority - b.priority).map((r) => r.exchange.toLowerCase());
  } catch {
    return [];
  }
}

/** Turns what a source said into the settings the profile form takes, with the warnings the admin should read. */
function proposalOf(
  source: DiscoverySource,
  sourceDetail: string,
  doc: AutoconfigDocument,
  deps: DiscoveryDeps,
  extra: { preset?: "gmail" | "microsoft365"; oauth?: boolean } = {},
): DiscoveredSettings {
  const incoming = chooseServer(doc.incoming, deps.allowedPorts);
  const outgoing = chooseServer(doc.outgoing, deps.allowedPorts);
  const preset = extra.preset ?? (incoming && providerOfHost("pop3smtp", incoming.host) === "google" ? "gmail" : undefined);
  const onlyOAuth = (s: DiscoveredServer | null) => !!s && s.authentication.length > 0 && s.authentication.every((a) => a === "oauth2");
  const oauth = !!extra.oauth || !!preset || onlyOAuth(incoming) || onlyOAuth(outgoing);
  const warnings: DiscoveryWarning[] = source === "autoconfig-http" ? ["insecure-source"] : [];
  if (!preset) {
    if (!incoming) warnings.push("no-incoming");
    if (!outgoing) warnings.push("no-outgoing");
    if (incoming?.socketType === "plain" || outgoing?.socketType === "plain") warnings.push("unencrypted-server");
    if (deps.allowedPorts && [incoming, outgoing].some((s) => s && !deps.allowedPorts!.includes(s.port))) warnings.push("port-not-allowed");
    if (oauth) warnings.push("oauth-required");
  }
  return { source, sourceDetail, providerName: doc.providerName, serverType: preset ?? "pop3smtp", incoming: preset ? null : incoming, outgoing: preset ? null : outgoing, oauth, warnings };
}
