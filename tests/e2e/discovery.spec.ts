// Issue 18, settings discovery on the profile form: an admin types an address, sees
// what was found and where, applies it, reviews and saves. The app asks only a DNS
// stub and an HTTPS autoconfig server started here, on loopback (scripts/test.ts
// points it at them with MAILROOM_DISCOVERY_DNS_SERVERS / _AUTOCONFIG_BASE).
import { expect, test, type Page } from "@playwright/test";
import { catalog } from "../../lib/i18n/catalog";
import { startAutoconfigServer, type AutoconfigServer } from "../harness/autoconfig-server";
import { startDnsStub, type DnsStub } from "../harness/dns-stub";
import { db, makeUser, signIn } from "./support/accounts";
import { runPki } from "./support/run-pki";

test.describe.configure({ mode: "serial" });

let dns: DnsStub;
let web: AutoconfigServer;

const config = (domain: string, servers: string) =>
  `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="${domain}"><domain>${domain}</domain><displayName>Acme Mail</displayName>${servers}</emailProvider></clientConfig>`;
const server = (kind: string, type: string, host: string, port: number, socket: string) =>
  `<${kind} type="${type}"><hostname>${host}</hostname><port>${port}</port><socketType>${socket}</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></${kind}>`;

test.beforeAll(async () => {
  const dnsPort = Number(process.env.MAILROOM_DISCOVERY_DNS_SERVERS?.split(":")[1]);
  const webPort = Number(new URL(process.env.MAILROOM_DISCOVERY_AUTOCONFIG_BASE ?? "https://x").port);
  if (!dnsPort || !webPort) throw new Error("run browser tests with `npm test -- --e2e`, which sets the discovery test servers' ports");
  dns = await startDnsStub(dnsPort);
  web = await startAutoconfigServer(runPki(), webPort);
  web.routes.set(
    "/autoconfig.acme.test/mail/config-v1.1.xml",
    { xml: config("acme.test", server("incomingServer", "imap", "imap.acme.test", 993, "SSL") + server("outgoingServer", "smtp", "smtp.acme.test", 587, "STARTTLS")) },
  );
  web.routes.set("/autoconfig.legacy.test/mail/config-v1.1.xml", { xml: config("legacy.test", server("incomingServer", "pop3", "mail.legacy.test", 110, "plain") + server("outgoingServer", "smtp", "mail.legacy.test", 25, "plain")) });
  dns.zone.set("workspace.test", { MX: [{ preference: 1, exchange: "aspmx.l.google.com" }] });
});
test.afterAll(async () => {
  await dns?.close();
  await web?.close();
});

const labelled = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*ⓘ?$`);

async function discover(page: Page, email: string, lang: "en" | "ja" = "en") {
  const t = catalog[lang];
  const panel = page.getByTestId("discovery-panel");
  await panel.getByLabel(t["discovery.field.email"]).fill(email);
  await panel.getByRole("button", { name: t["discovery.button"] }).click();
  return panel;
}

test("an admin finds a domain's settings by autoconfig, reviews them, applies them and saves", async ({ page }) => {
  const t = catalog.en;
  const field = (key: keyof typeof t) => page.getByLabel(labelled(t[key]));
  const admin = await makeUser("admin");
  await signIn(page, admin);
  await page.goto("/profiles/new");
  const panel = await discover(page, "sales@acme.test");
  const result = panel.getByTestId("discovery-result");
  await expect(result).toContainText("Settings found for acme.test");
  await expect(panel.getByTestId("discovery-source")).toContainText(`Found in: the domain's autoconfig file ${web.base}/autoconfig.acme.test/mail/config-v1.1.xml?emailaddress=sales%40acme.test`);
  await expect(panel.getByTestId("discovery-proposal")).toContainText("Incoming: IMAP imap.acme.test, port 993, SSL/TLS");
  await expect(panel.getByTestId("discovery-proposal")).toContainText("Outgoing: SMTP smtp.acme.test, port 587, STARTTLS");
  await expect(panel.getByTestId("discovery-proposal")).toContainText("User name: sales@acme.test");
  // Nothing is filled in before the admin says so.
  await expect(field("profiles.field.incomingHost")).toHaveValue("");
  expect(web.requests).toContain("/autoconfig.acme.test/mail/config-v1.1.xml?emailaddress=sales%40acme.test");

  await panel.getByRole("button", { name: "Use these settings" }).click();
  await expect(page.getByTestId("discovery-applied")).toHaveText("Filled in from the domain's autoconfig file. Review the fields below, then save.");
  await expect(field("profiles.field.serverType")).toHaveValue("pop3smtp");
  await expect(field("profiles.field.incomingProtocol")).toHaveValue("imap");
  await expect(field("profiles.field.incomingHost")).toHaveValue("imap.acme.test");
  await expect(field("profiles.field.incomingPort")).toHaveValue("993");
  await expect(field("profiles.field.incomingTls")).toBeChecked();
  await expect(field("profiles.field.outgoingHost")).toHaveValue("smtp.acme.test");
  await expect(field("profiles.field.outgoingPort")).toHaveValue("587");
  await expect(field("profiles.field.outgoingTls")).not.toBeChecked();

  const name = `Acme ${Date.now()}`;
  await field("profiles.field.name").fill(name);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const [saved] = await db()`select incoming_host, incoming_port, incoming_tls, outgoing_host, outgoing_port, outgoing_tls, allow_unencrypted from profiles where name = ${name}`;
  expect(saved).toEqual({ incoming_host: "imap.acme.test", incoming_port: 993, incoming_tls: true, outgoing_host: "smtp.acme.test", outgoing_port: 587, outgoing_tls: false, allow_unencrypted: false });
});

test("MX at Google gives the Gmail preset; an unencrypted server is flagged and never allowed by itself", async ({ page }) => {
  const t = catalog.en;
  const field = (key: keyof typeof t) => page.getByLabel(labelled(t[key]));
  const admin = await makeUser("admin");
  await signIn(page, admin);
  await page.goto("/profiles/new");
  let panel = await discover(page, "a@workspace.test");
  await expect(panel.getByTestId("discovery-source")).toContainText("the domain's mail is hosted by Google MX workspace.test: aspmx.l.google.com");
  await expect(panel.getByTestId("discovery-proposal")).toContainText("Server type: Gmail");
  await panel.getByRole("button", { name: "Use these settings" }).click();
  await expect(field("profiles.field.serverType")).toHaveValue("gmail");
  await expect(field("profiles.field.incomingHost")).toHaveValue("imap.gmail.com");
  await expect(field("profiles.field.incomingAuthMethod")).toHaveValue("xoauth2");

  panel = await discover(page, "old@legacy.test");
  await expect(panel.locator('[data-warning="unencrypted-server"]')).toBeVisible();
  await panel.getByRole("button", { name: "Use these settings" }).click();
  await expect(field("profiles.field.serverType")).toHaveValue("pop3smtp");
  await expect(field("profiles.field.incomingProtocol")).toHaveValue("pop3");
  await expect(field("profiles.field.incomingHost")).toHaveValue("mail.legacy.test");
  await expect(field("profiles.field.incomingTls")).not.toBeChecked();
  await expect(field("profiles.field.allowUnencrypted")).not.toBeChecked();

  // A domain with nothing anywhere: said so, and where it looked.
  panel = await discover(page, "a@nothing-here.test");
  await expect(panel.getByTestId("discovery-none")).toHaveText("No settings were found for nothing-here.test. Enter the servers by hand: the provider's help pages name them.");
  await panel.getByText("Where Mailroom looked").click();
  await expect(panel.getByTestId("discovery-result")).toContainText("the domain's DNS service records (RFC 6186): nothing there");
});

test.describe("in Japanese", () => {
  test.use({ locale: "ja-JP" });
  const ja = catalog.ja;

  test("the bundled provider list, the review and the errors are in Japanese", async ({ page }) => {
    const field = (key: keyof typeof ja) => page.getByLabel(labelled(ja[key]));
    const admin = await makeUser("admin");
    await signIn(page, admin);
    await page.goto("/profiles/new");
    await expect(page.getByRole("heading", { name: ja["discovery.title"] })).toBeVisible();
    let panel = await discover(page, "taro", "ja");
    await expect(panel.getByText(ja["discovery.error.email"])).toBeVisible();

    panel = await discover(page, "taro@docomo.ne.jp", "ja");
    await expect(panel.getByTestId("discovery-result")).toContainText(ja["discovery.found"].replace("{domain}", "docomo.ne.jp"));
    await expect(panel.getByTestId("discovery-source")).toContainText(`${ja["discovery.from"].replace("{source}", ja["discovery.source.ispdb"])} docomo.ne.jp`);
    await expect(panel.getByTestId("discovery-proposal")).toContainText("受信: IMAP imap.spmode.ne.jp、ポート 993、SSL/TLS");
    expect(dns.queries.filter((q) => q.includes("docomo"))).toEqual([]);
    await panel.getByRole("button", { name: ja["discovery.apply"] }).click();
    await expect(page.getByTestId("discovery-applied")).toHaveText(ja["discovery.applied"].replace("{source}", ja["discovery.source.ispdb"]));
    await expect(field("profiles.field.incomingHost")).toHaveValue("imap.spmode.ne.jp");
    await expect(field("profiles.field.outgoingHost")).toHaveValue("smtp.spmode.ne.jp");
    await expect(field("profiles.field.outgoingPort")).toHaveValue("465");

    panel = await discover(page, "a@nothing-here.test", "ja");
    await expect(panel.getByTestId("discovery-none")).toHaveText(ja["discovery.notFound"].replace("{domain}", "nothing-here.test"));
  });
});

test("only admins get the form (discoverSettings checks profile:write itself: see the integration test)", async ({ page }) => {
  const manager = await makeUser("mailbox_manager");
  await signIn(page, manager);
  const res = await page.goto("/profiles/new");
  expect(res?.status()).toBe(403);
  await expect(page.getByTestId("discovery-panel")).toHaveCount(0);
});
