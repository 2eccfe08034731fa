import type { AddressJson } from "@/db/schema/emails";

/** "Name <address>", or just the address when there is no name. */
export function formatAddress(a: AddressJson): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}
