import { headers } from "next/headers";
import { clientAddress } from "./client-address";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;

/**
 * Whether this request reached us over HTTPS, or from this machine itself. Plain
 * HTTP from elsewhere is not secure: credential fields are then refused unless the
 * deployment allows it (SPEC §1, AllowCredentialsEntryViaNonSecureChannels). Both
 * the scheme and the address are the web server's view (stampForwardedHeaders): a
 * client's own X-Forwarded-Proto or Host header does not count.
 */
export async function isSecureChannel(): Promise<boolean> {
  const h = await headers();
  const address = clientAddress(h);
  if (address === "unknown") return false;
  return h.get("x-forwarded-proto") === "https" || LOOPBACK.test(address);
}
