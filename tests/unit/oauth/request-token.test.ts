import * as oauth from "oauth4webapi";
import { expect, test } from "vitest";
import { requestToken } from "../../../lib/credentials/request-token";
import type { OAuthClient } from "../../../lib/oauth/oauth-client";
import { OAuthError } from "../../../lib/oauth/oauth-error";

// Pure mapping of token endpoint answers to OAuthError; the answers are the
// providers' documented shapes (Entra ID's AADSTS codes ride in error_description).
function clientAnswering(status: number, body: unknown, o: Partial<OAuthClient> = {}): OAuthClient {
  const answer = (async () =>
    new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json" } })) as unknown as typeof fetch;
  return {
    provider: "microsoft",
    grant: "delegated",
    as: { issuer: "https://login.example.com", token_endpoint: "https://login.example.com/token" },
    client: { client_id: "app" },
    clientAuth: oauth.ClientSecretPost("s"),
    scopes: "",
    options: { signal: () => AbortSignal.timeout(5_000), [oauth.customFetch]: answer },
    credentialField: "oauthClientSecret",
    ...o,
  };
}
const refresh = { kind: "refresh" as const, refreshToken: "r" };
async function failure(c: OAuthClient): Promise<OAuthError> {
  const err = await requestToken(c, refresh).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(OAuthError);
  return err as OAuthError;
}

test("provider refusals become permanent codes naming the field to fix", async () => {
  const cases: Array<[number, object, string, string | null]> = [
    [400, { error: "invalid_grant", error_description: "AADSTS70008: The refresh token has expired due to inactivity." }, "invalid_grant", null],
    [401, { error: "invalid_client", error_description: "AADSTS7000222: The provided client secret keys for app 'x' are expired." }, "secret_expired", "oauthClientSecret"],
    [401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." }, "invalid_client", "oauthClientSecret"],
    [400, { error: "invalid_grant", error_description: "AADSTS65001: The user or administrator has not consented to use the application." }, "consent_required", null],
    [401, { error: "unauthorized_client", error_description: "Client is unauthorized to retrieve access tokens using this method." }, "unauthorized_client", "oauthClientId"],
    [400, { error: "invalid_scope" }, "not_configured", "oauthScopes"],
  ];
  for (const [status, body, code, field] of cases) {
    const e = await failure(clientAnswering(status, body));
    expect([e.code, e.kind, e.field]).toEqual([code, "permanent", field]);
    expect(e.detail).toContain(body.constructor === Object ? (body as { error: string }).error : "");
  }
});

test("5xx, 429, an unreachable endpoint and unknown refusals are transient", async () => {
  for (const [status, body] of [[503, "<html>down</html>"], [429, { error: "slow_down" }], [500, { error: "server_error" }], [400, { error: "something_new" }]] as const) {
    const e = await failure(clientAnswering(status, body));
    expect([e.code, e.kind]).toEqual(["unavailable", "transient"]);
  }
  const unreachable = clientAnswering(200, {});
  unreachable.options[oauth.customFetch] = (async () => {
    throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
  }) as unknown as typeof fetch;
  const e = await failure(unreachable);
  expect([e.code, e.kind]).toEqual(["unavailable", "transient"]);
  expect(e.detail).toContain("ECONNREFUSED");
});

test("a rotated refresh token and the lifetime come back from a good answer", async () => {
  const got = await requestToken(clientAnswering(200, { access_token: "a", token_type: "Bearer", expires_in: 3599, refresh_token: "r2", scope: "x" }), refresh);
  expect(got).toEqual({ accessToken: "a", refreshToken: "r2", expiresInSeconds: 3599, scope: "x" });
});
