import { AppError } from "@/lib/errors";
import { oauthRedirectUri } from "@/lib/oauth/redirect-uri";
import { startAuthorization } from "@/lib/oauth/start-authorization";
import { getDb } from "@/lib/server/db";
import { redirectInApp } from "@/lib/server/oauth-redirect";
import { publicBaseUrl } from "@/lib/server/public-url";
import { getActor } from "@/lib/server/session";

export const dynamic = "force-dynamic";

/**
 * "Sign in with Google / Microsoft" and the alerts' "Sign in again": starts the
 * mailbox's consent flow (lib/oauth/start-authorization.ts checks who may) and
 * sends the browser to the provider, or back to the mailbox saying why not.
 */
export async function GET(request: Request) {
  const actor = await getActor();
  if (!actor) return redirectInApp("/sign-in");
  const mailboxId = new URL(request.url).searchParams.get("mailboxId") ?? "";
  try {
    const result = await startAuthorization(getDb(), actor, { mailboxId, redirectUri: oauthRedirectUri((await publicBaseUrl()).url) });
    if (result.kind === "refused") return redirectInApp(`/mailboxes/${result.mailboxId}`, result.outcome);
    return new Response(null, { status: 303, headers: { location: result.url, "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof AppError && (err.code === "not_found" || err.code === "forbidden")) return redirectInApp("/mailboxes");
    throw err;
  }
}
