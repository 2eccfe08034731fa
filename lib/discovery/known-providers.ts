import type { DiscoveredServer } from "./discovered-settings";

/**
 * Mailroom's own small provider database, in the spirit of Mozilla's ISPDB but
 * written here from each provider's public help pages (not copied from the
 * Thunderbird ISPDB): for an address at one of these domains, discovery needs no
 * network at all. Gmail and Microsoft 365 are presets of the profile form, so
 * their entries only name the server type.
 */
export type KnownProvider = {
  name: string;
  domains: string[];
  /** A preset server type (its servers are filled by the form), or the servers themselves. */
  preset?: "gmail" | "microsoft365";
  incoming?: DiscoveredServer[];
  outgoing?: DiscoveredServer[];
  /** The provider refuses plain passwords (OAuth 2.0 or an app password is needed). */
  oauth?: boolean;
};

const EMAIL = "%EMAILADDRESS%";
const imap = (host: string, port = 993, socketType: DiscoveredServer["socketType"] = "ssl", userName = EMAIL): DiscoveredServer => ({ protocol: "imap", host, port, socketType, authentication: ["password-cleartext"], userName });
const pop3 = (host: string, port = 995, socketType: DiscoveredServer["socketType"] = "ssl", userName = EMAIL): DiscoveredServer => ({ protocol: "pop3", host, port, socketType, authentication: ["password-cleartext"], userName });
const smtp = (host: string, port: number, socketType: DiscoveredServer["socketType"], userName = EMAIL): DiscoveredServer => ({ protocol: "smtp", host, port, socketType, authentication: ["password-cleartext"], userName });

export const knownProviders: KnownProvider[] = [
  { name: "Gmail", domains: ["gmail.com", "googlemail.com"], preset: "gmail", oauth: true },
  {
    name: "Outlook.com",
    domains: ["outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.jp", "hotmail.co.jp", "live.jp"],
    incoming: [imap("outlook.office365.com"), pop3("outlook.office365.com")],
    outgoing: [smtp("smtp-mail.outlook.com", 587, "starttls")],
    oauth: true,
  },
  {
    name: "Yahoo Mail",
    domains: ["yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de"],
    incoming: [imap("imap.mail.yahoo.com"), pop3("pop.mail.yahoo.com")],
    outgoing: [smtp("smtp.mail.yahoo.com", 465, "ssl")],
  },
  {
    name: "Yahoo! JAPAN メール",
    domains: ["yahoo.co.jp"],
    incoming: [imap("imap.mail.yahoo.co.jp"), pop3("pop.mail.yahoo.co.jp")],
    outgoing: [smtp("smtp.mail.yahoo.co.jp", 465, "ssl")],
  },
  {
    name: "iCloud Mail",
    domains: ["icloud.com", "me.com", "mac.com"],
    incoming: [imap("imap.mail.me.com", 993, "ssl", "%EMAILLOCALPART%")],
    outgoing: [smtp("smtp.mail.me.com", 587, "starttls")],
  },
  {
    name: "Fastmail",
    domains: ["fastmail.com", "fastmail.fm"],
    incoming: [imap("imap.fastmail.com"), pop3("pop.fastmail.com")],
    outgoing: [smtp("smtp.fastmail.com", 465, "ssl")],
  },
  {
    name: "GMX",
    domains: ["gmx.net", "gmx.de", "gmx.at", "gmx.ch"],
    incoming: [imap("imap.gmx.net"), pop3("pop.gmx.net")],
    outgoing: [smtp("mail.gmx.net", 587, "starttls")],
  },
  {
    name: "GMX",
    domains: ["gmx.com", "gmx.us", "gmx.co.uk"],
    incoming: [imap("imap.gmx.com"), pop3("pop.gmx.com")],
    outgoing: [smtp("mail.gmx.com", 587, "starttls")],
  },
  {
    name: "WEB.DE",
    domains: ["web.de"],
    incoming: [imap("imap.web.de"), pop3("pop3.web.de")],
    outgoing: [smtp("smtp.web.de", 587, "starttls")],
  },
  {
    name: "Yandex Mail",
    domains: ["yandex.com", "yandex.ru", "ya.ru"],
    incoming: [imap("imap.yandex.com"), pop3("pop.yandex.com")],
    outgoing: [smtp("smtp.yandex.com", 465, "ssl")],
  },
  {
    name: "AOL Mail",
    domains: ["aol.com"],
    incoming: [imap("imap.aol.com"), pop3("pop.aol.com")],
    outgoing: [smtp("smtp.aol.com", 465, "ssl")],
  },
  {
    name: "Zoho Mail",
    domains: ["zoho.com", "zohomail.com"],
    incoming: [imap("imap.zoho.com"), pop3("pop.zoho.com")],
    outgoing: [smtp("smtp.zoho.com", 465, "ssl")],
  },
  {
    name: "docomo mail",
    domains: ["docomo.ne.jp"],
    // The user name is the d ACCOUNT ID (with the IMAP password set in My docomo), not the address.
    incoming: [{ ...imap("imap.spmode.ne.jp"), userName: null }],
    outgoing: [{ ...smtp("smtp.spmode.ne.jp", 465, "ssl"), userName: null }],
  },
];

/** The bundled entry for a mail domain (lower-case), or null. */
export function findKnownProvider(domain: string): KnownProvider | null {
  const d = domain.toLowerCase();
  return knownProviders.find((p) => p.domains.includes(d)) ?? null;
}
