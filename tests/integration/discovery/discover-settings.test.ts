// Settings discovery against real servers on loopback: a DNS stub (MX, SRV) and an
// HTTPS server signed by the test CA standing in for every autoconfig host.
// Nothing leaves the machine: the resolver asks only the stub, fetches go only to 127.0.0.1.
import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Actor } from "../../../lib/auth/actor";
import { discoverSettings, type DiscoveryDeps } from "../../../lib/discovery/discover-settings";
import { fetchAutoconfigDocument } from "../../../lib/discovery/fetch-autoconfig";
import { startAutoconfigServer, type AutoconfigServer } from "../../harness/autoconfig-server";
import { startDnsStub, type DnsStub } from "../../harness/dns-stub";
import { createTestPki, type TestPki } from "../../harness/tls";

const admin: Actor = { id: "00000000-0000-4000-8000-000000000001", email: "ada@example.com", name: "Ada", role: "admin" };
const manager: Actor = { ...admin, id: "00000000-0000-4000-8000-000000000002", role: "mailbox_manager" };

let pki: TestPki;
let dns: DnsStub;
let web: AutoconfigServer;
let plainWeb: AutoconfigServer;

function deps(over: Partial<DiscoveryDeps> = {}, limits: Partial<DiscoveryDeps["fetchLimits"]> = {}): DiscoveryDeps {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.server]);
  return {
    resolver,
    autoconfigBase: web.base,
    allowedPorts: null,
    fetchLimits: { timeoutMs: 2000, maxBytes: 100 * 1024, allowNonPublicAddresses: true, ca: pki.caPem, ...limits },
    ...over,
  };
}

const config = (host: string, servers: string) => `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="${host}"><domain>${host}</domain><displayName>${host} mail</displayName>${servers}</emailProvider></clientConfig>`;
const server = (kind: "incomingServer" | "outgoingServer", type: string, host: string, port: number, socket: string, auth = "password-cleartext") =>
  `<${kind} type="${type}"><hostname>${host}</hostname><port>${port}</port><socketType>${socket}</socketType><authentication>${auth}</authentication><username>%EMAILADDRESS%</username></${kind}>`;
const STANDARD = (d: string) =>
  config(d, server("incomingServer", "pop3", `pop.${d}`, 995, "SSL") + server("incomingServer", "imap", `imap.${d}`, 993, "SSL") + server("outgoingServer", "smtp", `smtp.${d}`, 587, "STARTTLS"));

beforeAll(async () => {
  pki = createTestPki();
  dns = await startDnsStub();
  web = await startAutoconfigServer(pki);
  plainWeb = await startAutoconfigServer("plain-http");
});
afterAll(async () => {
  await dns?.close();
  await web?.close();
  await plainWeb?.close();
});
beforeEach(() => {
  dns.zone.clear();
  dns.queries.length = 0;
  web.routes.clear();
  web.requests.length = 0;
  plainWeb.routes.clear();
  plainWeb.requests.length = 0;
});

describe("where the settings come from", () => {
  test("a bundled provider answers at once, with no DNS query and no fetch", async () => {
    const r = await discoverSettings(admin, { email: "someone@Gmail.com" }, deps());
    expect(r.proposal).toMatchObject({ source: "ispdb", sourceDetail: "gmail.com", serverType: "gmail", oauth: true, incoming: null, outgoing: null });
    expect(dns.queries).toEqual([]);
    expect(web.requests).toEqual([]);
    const yahoo = await discoverSettings(admin, { email: "taro@yahoo.co.jp" }, deps());
    expect(yahoo.proposal).toMatchObject({ source: "ispdb", serverType: "pop3smtp", incoming: { protocol: "imap", host: "imap.mail.yahoo.co.jp", port: 993, socketType: "ssl" }, outgoing: { host: "smtp.mail.yahoo.co.jp", port: 465, socketType: "ssl" } });
  });

  test("Mozilla autoconfig at autoconfig.<domain>, asked with the address; IMAP over SSL chosen", async () => {
    web.routes.set("/autoconfig.acme.test/mail/config-v1.1.xml", { xml: STANDARD("acme.test") });
    const r = await discoverSettings(admin, { email: "sales@acme.test" }, deps());
    expect(r.proposal).toMatchObject({
      source: "autoconfig",
      sourceDetail: `${web.base}/autoconfig.acme.test/mail/config-v1.1.xml?emailaddress=sales%40acme.test`,
      providerName: "acme.test mail",
      serverType: "pop3smtp",
      incoming: { protocol: "imap", host: "imap.acme.test", port: 993, socketType: "ssl", userName: "%EMAILADDRESS%" },
      outgoing: { protocol: "smtp", host: "smtp.acme.test", port: 587, socketType: "starttls" },
      warnings: [],
    });
    expect(web.requests).toContain("/autoconfig.acme.test/mail/config-v1.1.xml?emailaddress=sales%40acme.test");
    expect(r.attempts.map((a) => [a.source, a.outcome])).toEqual([
      ["ispdb", "not_found"],
      ["autoconfig", "found"],
      ["autoconfig-wellknown", "not_found"],
      ["srv", "not_found"],
      ["mx", "not_found"],
    ]);
  });

  test("the domain's well-known autoconfig path when there is no autoconfig host", async () => {
    web.routes.set("/wk.test/.well-known/autoconfig/mail/config-v1.1.xml", { xml: STANDARD("wk.test") });
    const r = await discoverSettings(admin, { email: "a@wk.test" }, deps());
    expect(r.proposal).toMatchObject({ source: "autoconfig-wellknown", sourceDetail: `${web.base}/wk.test/.well-known/autoconfig/mail/config-v1.1.xml`, incoming: { host: "imap.wk.test" } });
  });

  test("RFC 6186 SRV records: the best of each, and '.' (not offered) skipped", async () => {
    dns.zone.set("_imaps._tcp.srv.test", { SRV: [{ priority: 10, weight: 0, port: 993, target: "backup-imap.srv.test" }, { priority: 0, weight: 5, port: 993, target: "imap.srv.test" }] });
    dns.zone.set("_imap._tcp.srv.test", { SRV: [{ priority: 0, weight: 0, port: 0, target: "." }] });
    dns.zone.set("_submission._tcp.srv.test", { SRV: [{ priority: 0, weight: 0, port: 587, target: "smtp.srv.test" }] });
    const r = await discoverSettings(admin, { email: "a@srv.test" }, deps());
    expect(r.proposal).toMatchObject({
      source: "srv",
      sourceDetail: "_imaps._tcp.srv.test, _submission._tcp.srv.test",
      incoming: { protocol: "imap", host: "imap.srv.test", port: 993, socketType: "ssl" },
      outgoing: { protocol: "smtp", host: "smtp.srv.test", port: 587, socketType: "starttls" },
    });
    expect(dns.queries).toEqual(expect.arrayContaining(["SRV _imaps._tcp.srv.test", "SRV _imap._tcp.srv.test", "SRV _pop3s._tcp.srv.test", "SRV _submission._tcp.srv.test", "MX srv.test"]));
  });

  test("MX at Google: the Gmail preset with OAuth 2.0; MX at Microsoft: the Microsoft 365 preset", async () => {
    dns.zone.set("workspace.test", { MX: [{ preference: 5, exchange: "alt1.aspmx.l.google.com" }, { preference: 1, exchange: "aspmx.l.google.com" }] });
    const g = await discoverSettings(admin, { email: "a@workspace.test" }, deps());
    expect(g.proposal).toMatchObject({ source: "mx-google", sourceDetail: "MX workspace.test: aspmx.l.google.com", serverType: "gmail", oauth: true });
    dns.zone.set("contoso.test", { MX: [{ preference: 0, exchange: "contoso-test.mail.protection.outlook.com" }] });
    const m = await discoverSettings(admin, { email: "a@contoso.test" }, deps());
    expect(m.proposal).toMatchObject({ source: "mx-microsoft", serverType: "microsoft365", oauth: true });
    // An MX that merely mentions the names elsewhere is neither.
    dns.zone.set("lookalike.test", { MX: [{ preference: 0, exchange: "google.com.lookalike.test" }, { preference: 1, exchange: "mail.protection.outlook.com.evil.test" }] });
    expect((await discoverSettings(admin, { email: "a@lookalike.test" }, deps())).proposal).toBeNull();
  });

  test("the more trusted source wins: autoconfig over SRV over MX", async () => {
    web.routes.set("/autoconfig.both.test/mail/config-v1.1.xml", { xml: STANDARD("both.test") });
    dns.zone.set("both.test", { MX: [{ preference: 1, exchange: "aspmx.l.google.com" }] });
    dns.zone.set("_imaps._tcp.both.test", { SRV: [{ priority: 0, weight: 0, port: 993, target: "srv-imap.both.test" }] });
    expect((await discoverSettings(admin, { email: "a@both.test" }, deps())).proposal?.source).toBe("autoconfig");
    web.routes.clear();
    expect((await discoverSettings(admin, { email: "a@both.test" }, deps())).proposal?.source).toBe("srv");
    dns.zone.delete("_imaps._tcp.both.test");
    expect((await discoverSettings(admin, { email: "a@both.test" }, deps())).proposal?.source).toBe("mx-google");
  });

  test("autoconfig over plain HTTP: proposed after SRV, and always flagged as open to tampering", async () => {
    plainWeb.routes.set("/autoconfig.plain.test/mail/config-v1.1.xml", { xml: STANDARD("plain.test") });
    const withHttp = deps({ autoconfigHttpBase: plainWeb.base });
    const r = await discoverSettings(admin, { email: "a@plain.test" }, withHttp);
    expect(r.proposal).toMatchObject({ source: "autoconfig-http", sourceDetail: `${plainWeb.base}/autoconfig.plain.test/mail/config-v1.1.xml?emailaddress=a%40plain.test`, incoming: { host: "imap.plain.test" }, warnings: ["insecure-source"] });
    expect(r.attempts.map((a) => a.source)).toEqual(["ispdb", "autoconfig", "autoconfig-wellknown", "srv", "autoconfig-http", "mx"]);
    dns.zone.set("_imaps._tcp.plain.test", { SRV: [{ priority: 0, weight: 0, port: 993, target: "srv-imap.plain.test" }] });
    expect((await discoverSettings(admin, { email: "a@plain.test" }, withHttp)).proposal?.source).toBe("srv");
    // Pointed at local servers without an HTTP one, the plain-HTTP step is skipped (it would reach a real host).
    plainWeb.requests.length = 0;
    const skipped = await discoverSettings(admin, { email: "a@plain.test" }, deps());
    expect(skipped.attempts.map((a) => a.source)).not.toContain("autoconfig-http");
    expect(plainWeb.requests).toEqual([]);
  });

  test("nothing found: no proposal, and every place looked is listed", async () => {
    const r = await discoverSettings(admin, { email: "a@nowhere.test" }, deps());
    expect(r.proposal).toBeNull();
    expect(r.attempts.map((a) => a.outcome)).toEqual(["not_found", "not_found", "not_found", "not_found", "not_found"]);
  });
});

describe("what is proposed", () => {
  test("the outbound port policy steers the choice and is warned about", async () => {
    web.routes.set("/autoconfig.gov.test/mail/config-v1.1.xml", {
      xml: config("gov.test", server("incomingServer", "imap", "imap.gov.test", 993, "SSL") + server("incomingServer", "pop3", "pop.gov.test", 995, "SSL") + server("outgoingServer", "smtp", "smtp.gov.test", 587, "STARTTLS") + server("outgoingServer", "smtp", "smtp.gov.test", 465, "SSL")),
    });
    const r = await discoverSettings(admin, { email: "a@gov.test" }, deps({ allowedPorts: [465, 995] }));
    expect(r.proposal).toMatchObject({ incoming: { protocol: "pop3", port: 995 }, outgoing: { port: 465 }, warnings: [] });
    const strict = await discoverSettings(admin, { email: "a@gov.test" }, deps({ allowedPorts: [995] }));
    expect(strict.proposal?.warnings).toEqual(["port-not-allowed"]);
  });

  test("an unencrypted server and an OAuth-only provider are flagged for the admin", async () => {
    web.routes.set("/autoconfig.old.test/mail/config-v1.1.xml", { xml: config("old.test", server("incomingServer", "imap", "mail.old.test", 143, "plain") + server("outgoingServer", "smtp", "mail.old.test", 25, "plain")) });
    expect((await discoverSettings(admin, { email: "a@old.test" }, deps())).proposal?.warnings).toEqual(["unencrypted-server"]);
    web.routes.set("/autoconfig.oauth.test/mail/config-v1.1.xml", { xml: config("oauth.test", server("incomingServer", "imap", "imap.oauth.test", 993, "SSL", "OAuth2") + server("outgoingServer", "smtp", "smtp.oauth.test", 465, "SSL", "OAuth2")) });
    expect((await discoverSettings(admin, { email: "a@oauth.test" }, deps())).proposal).toMatchObject({ oauth: true, warnings: ["oauth-required"] });
  });
});

describe("who may, and what the fetch refuses", () => {
  test("admins only (profile:write), checked on the server; a bad address is a field error", async () => {
    await expect(discoverSettings(manager, { email: "a@acme.test" }, deps())).rejects.toMatchObject({ code: "forbidden" });
    await expect(discoverSettings(null, { email: "a@acme.test" }, deps())).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(discoverSettings(admin, { email: "a@127.0.0.1" }, deps())).rejects.toMatchObject({ code: "invalid", fieldErrors: { discoverEmail: [{ key: "discovery.error.email" }] } });
    expect(dns.queries).toEqual([]);
  });

  test("too large, too slow, a redirect, an untrusted certificate: no proposal from that source", async () => {
    web.routes.set("/autoconfig.big.test/mail/config-v1.1.xml", { bytes: 200 * 1024 });
    web.routes.set("/big.test/.well-known/autoconfig/mail/config-v1.1.xml", { bytes: 200 * 1024, declareLength: true });
    const big = await discoverSettings(admin, { email: "a@big.test" }, deps());
    expect(big.attempts.slice(1, 3).map((a) => a.outcome)).toEqual(["failed", "failed"]);

    web.routes.set("/autoconfig.slow.test/mail/config-v1.1.xml", { hang: true });
    const started = Date.now();
    const slow = await discoverSettings(admin, { email: "a@slow.test" }, deps({}, { timeoutMs: 500 }));
    expect(slow.attempts[1].outcome).toBe("failed");
    expect(Date.now() - started).toBeLessThan(3000);

    web.routes.set("/autoconfig.moved.test/mail/config-v1.1.xml", { status: 302, location: `${web.base}/autoconfig.acme.test/mail/config-v1.1.xml` });
    web.routes.set("/autoconfig.acme.test/mail/config-v1.1.xml", { xml: STANDARD("acme.test") });
    expect((await discoverSettings(admin, { email: "a@moved.test" }, deps())).proposal).toBeNull();
    expect(web.requests.filter((r) => r.startsWith("/autoconfig.acme.test"))).toEqual([]);

    web.routes.set("/autoconfig.acme.test/mail/config-v1.1.xml", { xml: STANDARD("acme.test") });
    const untrusted = await discoverSettings(admin, { email: "a@acme.test" }, deps({}, { ca: pki.untrusted.certPem }));
    expect(untrusted.proposal).toBeNull();
    expect(untrusted.attempts[1].outcome).toBe("failed");
  });

  test("outside tests, loopback, private and plain-HTTP addresses are never fetched", async () => {
    web.routes.set("/autoconfig.acme.test/mail/config-v1.1.xml", { xml: STANDARD("acme.test") });
    const limits = { timeoutMs: 2000, maxBytes: 100 * 1024, allowNonPublicAddresses: false, ca: pki.caPem };
    await expect(fetchAutoconfigDocument(`${web.base}/autoconfig.acme.test/mail/config-v1.1.xml`, limits)).rejects.toMatchObject({ reason: "private_address" });
    // A name that resolves to loopback is refused at the lookup, before any connection.
    await expect(fetchAutoconfigDocument(`https://localhost:${web.port}/autoconfig.acme.test/mail/config-v1.1.xml`, limits)).rejects.toMatchObject({ reason: "private_address" });
    await expect(fetchAutoconfigDocument(`http://127.0.0.1:${web.port}/x`, { ...limits, allowNonPublicAddresses: true })).rejects.toMatchObject({ reason: "not_https" });
    expect(web.requests).toEqual([]);
    // The same document, allowed (tests): fetched.
    await expect(fetchAutoconfigDocument(`${web.base}/autoconfig.acme.test/mail/config-v1.1.xml`, { ...limits, allowNonPublicAddresses: true })).resolves.toContain("imap.acme.test");
  });
});
