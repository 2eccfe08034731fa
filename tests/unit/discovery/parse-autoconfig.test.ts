import { expect, test } from "vitest";
import { chooseServer, fillUserName, type DiscoveredServer } from "../../../lib/discovery/discovered-settings";
import { autoconfigHttpUrl, autoconfigUrls, emailDomain } from "../../../lib/discovery/discover-settings";
import { findKnownProvider, knownProviders } from "../../../lib/discovery/known-providers";
import { parseAutoconfig } from "../../../lib/discovery/parse-autoconfig";
import { isNonPublicAddress } from "../../../lib/discovery/public-address";

const DOC = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <domain>Example.NET</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="pop3">
      <hostname>pop.example.org</hostname><port>995</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>IMAP.example.org</hostname><port>143</port><socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication><authentication>OAuth2</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="exchange"><hostname>ews.example.org</hostname><port>443</port><socketType>SSL</socketType></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>`;

test("an autoconfig document: provider, domains and each IMAP/POP3/SMTP server in order; other types left out", () => {
  const doc = parseAutoconfig(DOC)!;
  expect(doc.providerName).toBe("Example Mail");
  expect(doc.domains).toEqual(["example.org", "example.net"]);
  expect(doc.incoming).toEqual([
    { protocol: "pop3", host: "pop.example.org", port: 995, socketType: "ssl", authentication: ["password-cleartext"], userName: "%EMAILLOCALPART%" },
    { protocol: "imap", host: "imap.example.org", port: 143, socketType: "starttls", authentication: ["password-cleartext", "oauth2"], userName: "%EMAILADDRESS%" },
  ]);
  expect(doc.outgoing).toEqual([{ protocol: "smtp", host: "smtp.example.org", port: 587, socketType: "starttls", authentication: ["password-cleartext"], userName: "%EMAILADDRESS%" }]);
});

test("servers an attacker could aim inward, or that make no sense, are left out", () => {
  const server = (host: string, port = "993", socket = "SSL") =>
    `<incomingServer type="imap"><hostname>${host}</hostname><port>${port}</port><socketType>${socket}</socketType></incomingServer>`;
  const doc = (servers: string) => `<clientConfig><emailProvider id="x">${servers}<outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>465</port><socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>`;
  for (const bad of [server("127.0.0.1"), server("[::1]"), server("localhost"), server("10.0.0.5"), server("imap.example.org", "0"), server("imap.example.org", "70000"), server("imap.example.org", "99a"), server("imap.example.org", "993", "TLS1.3"), server("imap example.org"), server("-imap.example.org")]) {
    expect(parseAutoconfig(doc(bad))!.incoming, bad).toEqual([]);
  }
  expect(parseAutoconfig(doc(server("imap.example.org")))!.incoming).toHaveLength(1);
});

test("not a document: garbage, another XML, an empty provider, a DOCTYPE (no entity is ever declared)", () => {
  expect(parseAutoconfig("<html><body>Not found</body></html>")).toBeNull();
  expect(parseAutoconfig("not xml at all <<<")).toBeNull();
  expect(parseAutoconfig("<clientConfig><emailProvider id='x'><domain>x.org</domain></emailProvider></clientConfig>")).toBeNull();
  expect(parseAutoconfig(`<!DOCTYPE lolz [<!ENTITY lol "lol">]>${DOC.replace(/^<\?xml[^>]*>/, "")}`)).toBeNull();
});

test("the server a profile gets: encrypted first, IMAP before POP3, a port the policy allows, else the source's order", () => {
  const s = (protocol: DiscoveredServer["protocol"], port: number, socketType: DiscoveredServer["socketType"]): DiscoveredServer => ({ protocol, host: `${protocol}${port}.example.org`, port, socketType, authentication: [], userName: null });
  expect(chooseServer([s("pop3", 995, "ssl"), s("imap", 993, "ssl")], null)?.port).toBe(993);
  expect(chooseServer([s("imap", 143, "plain"), s("pop3", 995, "ssl")], null)?.port).toBe(995);
  expect(chooseServer([s("imap", 993, "ssl"), s("pop3", 995, "ssl")], [465, 995])?.port).toBe(995);
  expect(chooseServer([s("smtp", 587, "starttls"), s("smtp", 465, "ssl")], null)?.port).toBe(587);
  expect(chooseServer([s("smtp", 587, "starttls"), s("smtp", 465, "ssl")], [465])?.port).toBe(465);
  expect(chooseServer([], null)).toBeNull();
});

test("user name placeholders and the address's domain", () => {
  expect(fillUserName("%EMAILLOCALPART%", "taro@example.jp")).toBe("taro");
  expect(fillUserName("%EMAILADDRESS%", "taro@example.jp")).toBe("taro@example.jp");
  expect(fillUserName("%EMAILDOMAIN%\\%EMAILLOCALPART%", "taro@example.jp")).toBe("example.jp\\taro");
  expect(emailDomain(" Taro@Example.JP ")).toBe("example.jp");
  for (const bad of ["taro", "taro@", "@example.jp", "taro@127.0.0.1", "taro@localhost", "taro@[::1]", "a@b@example.jp", "taro@exa mple.jp"]) expect(emailDomain(bad), bad).toBeNull();
});

test("autoconfig URLs: the autoconfig host with the address, then the domain's well-known path; a test base keeps host and path", () => {
  expect(autoconfigUrls("example.org", "a+b@example.org")).toEqual([
    { source: "autoconfig", url: "https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=a%2Bb%40example.org" },
    { source: "autoconfig-wellknown", url: "https://example.org/.well-known/autoconfig/mail/config-v1.1.xml" },
  ]);
  expect(autoconfigUrls("example.org", "a@example.org", "https://127.0.0.1:4443/").map((u) => u.url)).toEqual([
    "https://127.0.0.1:4443/autoconfig.example.org/mail/config-v1.1.xml?emailaddress=a%40example.org",
    "https://127.0.0.1:4443/example.org/.well-known/autoconfig/mail/config-v1.1.xml",
  ]);
});

test("the plain-HTTP autoconfig URL: the real one in production, the test base's in tests, none when tests have no HTTP server", () => {
  expect(autoconfigHttpUrl("example.org", "a@example.org", {})).toBe("http://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=a%40example.org");
  expect(autoconfigHttpUrl("example.org", "a@example.org", { autoconfigHttpBase: "http://127.0.0.1:8080/" })).toBe("http://127.0.0.1:8080/autoconfig.example.org/mail/config-v1.1.xml?emailaddress=a%40example.org");
  expect(autoconfigHttpUrl("example.org", "a@example.org", { autoconfigBase: "https://127.0.0.1:4443" })).toBeNull();
});

test("non-public addresses are recognised, public ones are not", () => {
  for (const a of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "not-an-ip"]) {
    expect(isNonPublicAddress(a), a).toBe(true);
  }
  for (const a of ["93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isNonPublicAddress(a), a).toBe(false);
});

test("the bundled provider list: one entry per domain, every server a host name with an encrypted port", () => {
  const domains = knownProviders.flatMap((p) => p.domains);
  expect(new Set(domains).size).toBe(domains.length);
  for (const p of knownProviders) {
    if (p.preset) continue;
    for (const s of [...(p.incoming ?? []), ...(p.outgoing ?? [])]) {
      expect(s.host, p.name).toMatch(/^[a-z0-9.-]+\.[a-z]+$/);
      expect(s.socketType, `${p.name} ${s.host}`).not.toBe("plain");
    }
    expect(p.incoming?.length, p.name).toBeGreaterThan(0);
    expect(p.outgoing?.length, p.name).toBeGreaterThan(0);
  }
  expect(findKnownProvider("GMAIL.com")?.preset).toBe("gmail");
  expect(findKnownProvider("docomo.ne.jp")?.incoming?.[0].host).toBe("imap.spmode.ne.jp");
  expect(findKnownProvider("example.org")).toBeNull();
});
