import { headers } from "next/headers";
import { env } from "@/lib/env";

/**
 * The app's public base address: MAILROOM_PUBLIC_URL when set; otherwise the
 * origin this request was made to (the Host header, and X-Forwarded-Proto behind
 * a proxy), flagged so the profile page can ask the operator to set the variable.
 */
export async function publicBaseUrl(): Promise<{ url: string; fromRequest: boolean }> {
  const configured = env().MAILROOM_PUBLIC_URL;
  if (configured) return { url: configured, fromRequest: false };
  const h = await headers();
  const host = h.get("x-forwarded-host")?.split(",")[0]?.trim() || h.get("host") || "localhost";
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim() || "http";
  return { url: `${proto}://${host}`, fromRequest: true };
}
