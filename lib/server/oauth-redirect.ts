import { NextResponse } from "next/server";
import { outcomeQuery, type SignInOutcome } from "@/lib/oauth/sign-in-outcome";
import { publicBaseUrl } from "./public-url";

/**
 * A redirect to a page of the app, on its public address (the request's own URL
 * may be the internal one behind a proxy). With an outcome, the mailbox page shows
 * it: `?oauth=<code>` plus `oauth.<param>=<value>` for its parameters.
 */
export async function redirectInApp(path: string, outcome?: SignInOutcome): Promise<NextResponse> {
  const url = new URL(path, `${(await publicBaseUrl()).url}/`);
  if (outcome) url.search = outcomeQuery(outcome).toString();
  const res = NextResponse.redirect(url, 303);
  res.headers.set("cache-control", "no-store");
  return res;
}
