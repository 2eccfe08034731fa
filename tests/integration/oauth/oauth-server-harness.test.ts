import { afterAll, beforeAll, expect, test } from "vitest";
import * as oauth from "oauth4webapi";
import { signInThroughBrowserForm } from "../../harness/oauth-sign-in";
import { startOAuthServer, type OAuthServer } from "../../harness/oauth-server";

let server: OAuthServer;
const redirectUri = "http://127.0.0.1:9/callback";
const insecure = { [oauth.allowInsecureRequests]: true };

beforeAll(async () => {
  server = await startOAuthServer();
  server.addClient({ client_id: "web", client_secret: "web-secret", redirect_uris: [redirectUri] });
  server.addClient({ client_id: "app", client_secret: "app-secret", grant_types: ["client_credentials"], response_types: [], redirect_uris: [] });
});
afterAll(() => server?.stop());

const as = () => ({ issuer: server.issuer, token_endpoint: server.endpoints.token, revocation_endpoint: server.endpoints.revocation, authorization_endpoint: server.endpoints.authorization });

test("code + PKCE through the login and consent pages, then refresh with rotation, revocation and the mail introspection shim", async () => {
  const tokens = await signInThroughBrowserForm(server, { clientId: "web", clientSecret: "web-secret", redirectUri, email: "alice@example.test", scope: "openid email offline_access https://mail.google.com/" });
  expect(tokens.refresh_token).toBeTruthy();
  expect(tokens.email).toBe("alice@example.test");

  const shim = async (token: string, user?: string) =>
    (await fetch(`${server.introspectionUrl}${user ? `?user=${encodeURIComponent(user)}` : ""}`, { method: "POST", body: new URLSearchParams({ token }) })).json();
  expect(await shim(tokens.access_token, "alice@example.test")).toEqual({ active: true, username: "alice@example.test" });
  expect(await shim(tokens.access_token, "bob@example.test")).toEqual({ active: false });
  expect(await shim("not-a-token")).toEqual({ active: false });

  const client = { client_id: "web" };
  const auth = oauth.ClientSecretPost("web-secret");
  const before = server.tokenRequests().refresh_token ?? 0;
  const refreshed = await oauth.processRefreshTokenResponse(as(), client, await oauth.refreshTokenGrantRequest(as(), client, auth, tokens.refresh_token!, insecure));
  expect(refreshed.refresh_token).toBeTruthy();
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  expect(server.tokenRequests().refresh_token).toBe(before + 1);
  // The rotated-out refresh token is dead (and, being reused, revokes the grant in oidc-provider).
  const reuse = await oauth.refreshTokenGrantRequest(as(), client, auth, tokens.refresh_token!, insecure);
  await expect(oauth.processRefreshTokenResponse(as(), client, reuse)).rejects.toMatchObject({ error: "invalid_grant" });

  const again = await signInThroughBrowserForm(server, { clientId: "web", clientSecret: "web-secret", redirectUri, email: "carol@example.test", scope: "offline_access https://mail.google.com/" });
  await oauth.processRevocationResponse(await oauth.revocationRequest(as(), client, auth, again.refresh_token!, insecure));
  const revoked = await oauth.refreshTokenGrantRequest(as(), client, auth, again.refresh_token!, insecure);
  await expect(oauth.processRefreshTokenResponse(as(), client, revoked)).rejects.toMatchObject({ error: "invalid_grant" });
});

test("client credentials tokens open only the mailboxes the app is allowed; the token endpoint can be made to fail", async () => {
  server.allowApp("app", ["shared@example.test"]);
  const client = { client_id: "app" };
  const res = await oauth.clientCredentialsGrantRequest(as(), client, oauth.ClientSecretPost("app-secret"), { scope: "https://outlook.office365.com/.default" }, insecure);
  const token = await oauth.processClientCredentialsResponse(as(), client, res);
  const shim = async (user: string) => (await fetch(`${server.introspectionUrl}?user=${user}`, { method: "POST", body: new URLSearchParams({ token: token.access_token }) })).json();
  expect(await shim("shared@example.test")).toEqual({ active: true, username: "shared@example.test" });
  expect(await shim("other@example.test")).toEqual({ active: false });

  server.failTokenRequests(1, 503);
  const failed = await oauth.clientCredentialsGrantRequest(as(), client, oauth.ClientSecretPost("app-secret"), {}, insecure);
  expect(failed.status).toBe(503);
  expect(server.tokenRequests().failed).toBe(1);
});

test("a service account's JWT bearer assertion gives a token acting as its subject", async () => {
  const key = server.addServiceAccount("robot@project.iam.example.test");
  const { createSign } = await import("node:crypto");
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iss: key.client_email, sub: "dave@example.test", scope: "https://mail.google.com/", aud: key.token_uri, iat: now, exp: now + 600 })}`;
  const assertion = `${input}.${createSign("RSA-SHA256").update(input).sign(key.private_key).toString("base64url")}`;
  const client = { client_id: key.client_id };
  const res = await oauth.genericTokenEndpointRequest(as(), client, oauth.None(), "urn:ietf:params:oauth:grant-type:jwt-bearer", { assertion }, insecure);
  const token = await oauth.processGenericTokenEndpointResponse(as(), client, res);
  const shim = await (await fetch(server.introspectionUrl, { method: "POST", body: new URLSearchParams({ token: token.access_token, user: "dave@example.test" }) })).json();
  expect(shim).toEqual({ active: true, username: "dave@example.test" });
});
