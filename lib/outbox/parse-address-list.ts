import type { AddressJson } from "../../db/schema/emails";

export type ParsedAddressList = { addresses: AddressJson[]; invalid: string[] };

// Dot-atom local part and a domain of at least two labels (letters of any script allowed, as in IDNs).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Whether `address` is a plain addr-spec we are willing to put in an envelope: local@domain.tld. */
export function isValidAddress(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split(".");
  return local.length <= 64 && LOCAL.test(local) && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels.at(-1)!);
}

/**
 * Splits what a person typed into a To/Cc/Bcc box — `a@x.org, "Doe, Jane" <jane@y.org>; b@z.org`,
 * one per line or separated by commas or semicolons — into addresses. Entries that
 * are not a valid address come back in `invalid`, as typed, so the form can name them.
 */
export function parseAddressList(text: string): ParsedAddressList {
  const out: ParsedAddressList = { addresses: [], invalid: [] };
  for (const entry of splitEntries(text)) {
    const parsed = parseEntry(entry);
    if (parsed && isValidAddress(parsed.address)) out.addresses.push(parsed);
    else out.invalid.push(entry);
  }
  return out;
}

/** Splits on , ; and newlines outside "quotes" and <angle brackets>. */
function splitEntries(text: string): string[] {
  const entries: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (const ch of text) {
    if (ch === '"' && !angle) quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    if (!quoted && !angle && (ch === "," || ch === ";" || ch === "\n" || ch === "\r")) {
      entries.push(current);
      current = "";
    } else current += ch;
  }
  entries.push(current);
  return entries.map((e) => e.trim()).filter((e) => e !== "");
}

/** `Name <addr>`, `"Name" <addr>`, `<addr>` or `addr`; null when it is none of these. */
function parseEntry(entry: string): AddressJson | null {
  const m = /^(.*?)\s*<([^<>\s]+)>$/.exec(entry);
  if (m) {
    let name = m[1].trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, "$1");
    if (/[<>"]/.test(name)) return null;
    return { name, address: m[2] };
  }
  if (/[\s<>"]/.test(entry)) return null;
  return { name: "", address: entry };
}

/** The list as a person would type it again: `Name <addr>, addr`. */
export function formatAddressList(list: AddressJson[]): string {
  return list.map((a) => (a.name ? `${/[,;<>"]/.test(a.name) ? JSON.stringify(a.name) : a.name} <${a.address}>` : a.address)).join(", ");
}
