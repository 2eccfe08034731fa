import * as oauth from "oauth4webapi";
import type { OAuthServer } from "./oauth-server";

export type SignInResult = oauth.TokenEndpointResponse & { email?: string };

/**
 * A delegated sign-in against the test server without a browser: the
 * authorization request with PKCE, the login form (as `email`), the consent
 * page, and the code exchange. For tests that need a user's refresh token;
 * the Chromium tests drive the same pages through the app instead.
 */
export async function signInThroughBrowserForm(
  server: OAuthServer,
  o: { clientId: string; clientSecret?: string; redirectUri: string; email: string; scope: string },
): Promise<SignInResult> {
  const as: oauth.AuthorizationServer = { issuer: server.issuer, token_endpoint: server.endpoints.token, authorization_endpoint: server.endpoints.authorization };
  const client: oauth.Client = { client_id: o.clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(server.endpoints.authorization);
  for (const [k, v] of Object.entries({
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    response_type: "code",
    scope: o.scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    prompt: "consent",
  })) {
    url.searchParams.set(k, v);
  }

  const cookies = new Map<string, string>();
  const request = async (target: string, init: RequestInit = {}) => {
    const res = await fetch(target, { ...init, redirect: "manual", headers: { ...(init.headers as object), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const post = (target: string, form: Record<string, string>) =>
    request(target, { method: "POST", body: new URLSearchParams(form), headers: { "content-type": "application/x-www-form-urlencoded" } });

  let res = await request(url.href);
  for (let hops = 0; hops < 20; hops++) {
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, server.issuer);
      if (next.href.startsWith(o.redirectUri)) {
        const params = oauth.validateAuthResponse(as, client, next, state);
        const exchange = await oauth.authorizationCodeGrantRequest(as, client, o.clientSecret ? oauth.ClientSecretPost(o.clientSecret) : oauth.None(), params, o.redirectUri, verifier, {
          [oauth.allowInsecureRequests]: true,
        });
        const tokens: SignInResult = await oauth.processAuthorizationCodeResponse(as, client, exchange, { requireIdToken: false });
        tokens.email = (oauth.getValidatedIdTokenClaims(tokens)?.email as string | undefined) ?? undefined;
        return tokens;
      }
      res = await request(next.href);
      continue;
    }
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`Unexpected page from the OAuth server (HTTP ${res.status}): ${html.slice(0, 300)}`);
    res = action.endsWith("/login") ? await post(new URL(action, server.issuer).href, { email: o.email }) : await post(new URL(action, server.issuer).href, {});
  }
  throw new Error("The sign-in did not come back to the redirect URI");
}
