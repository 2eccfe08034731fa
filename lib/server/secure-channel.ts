import { headers } from "next/headers";

/**
 * Whether this request reached us over HTTPS, or from this machine itself. Plain
 * HTTP from elsewhere is not secure: credential fields are then refused unless the
 * deployment allows it (SPEC §1, AllowCredentialsEntryViaNonSecureChannels).
 */
export async function isSecureChannel(): Promise<boolean> {
  const h = await headers();
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim();
  if (proto === "https") return true;
  const host = (h.get("host") ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "127.0.0.1" || host === "::1";
}
