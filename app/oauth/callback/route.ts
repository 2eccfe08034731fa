import { completeAuthorization } from "@/lib/oauth/complete-authorization";
import { getDb } from "@/lib/server/db";
import { redirectInApp } from "@/lib/server/oauth-redirect";
import { getActor } from "@/lib/server/session";

export const dynamic = "force-dynamic";

/**
 * The redirect URI registered with the provider (MAILROOM_PUBLIC_URL + /oauth/callback):
 * lib/oauth/complete-authorization.ts validates the response and stores the
 * tokens; the browser goes back to the mailbox, which shows the outcome.
 */
export async function GET(request: Request) {
  const actor = await getActor();
  if (!actor) return redirectInApp("/sign-in");
  const { mailboxId, outcome } = await completeAuthorization(getDb(), actor, { callbackUrl: new URL(request.url) });
  return redirectInApp(mailboxId ? `/mailboxes/${mailboxId}` : "/mailboxes", outcome);
}
