import { expect, test } from "vitest";
import * as oauth from "oauth4webapi";
import { buildOAuthClient, type OAuthProfileSettings } from "../../../lib/oauth/oauth-client";
import { OAuthError } from "../../../lib/oauth/oauth-error";

const base: OAuthProfileSettings = {
  id: "00000000-0000-4000-8000-000000000001",
  oauthProvider: "generic",
  oauthClientId: "mailroom",
  oauthClientSecretSealed: null,
  oauthClientCertificateSealed: null,
  oauthServiceAccountKeySealed: null,
  oauthTenant: null,
  oauthAuthorizationUrl: null,
  oauthTokenUrl: "https://login.example.com/token",
  oauthRevocationUrl: null,
  oauthUserinfoUrl: null,
  oauthScopes: null,
};

async function failure(p: Partial<OAuthProfileSettings>, grant: "delegated" | "app" = "delegated"): Promise<OAuthError> {
  const err = await buildOAuthClient({ ...base, ...p }, grant).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OAuthError);
  return err as OAuthError;
}

test("plain HTTP endpoints are refused except on loopback hosts", async () => {
  const e = await failure({ oauthTokenUrl: "http://login.example.com/token" });
  expect([e.code, e.kind, e.field]).toEqual(["insecure_endpoint", "permanent", "oauthTokenUrl"]);
  expect((await failure({ oauthRevocationUrl: "http://10.0.0.1/revoke" })).field).toBe("oauthRevocationUrl");
  for (const host of ["127.0.0.1:9000", "[::1]:9000", "localhost:9000"]) {
    const c = await buildOAuthClient({ ...base, oauthTokenUrl: `http://${host}/token` }, "delegated");
    expect(c.options[oauth.allowInsecureRequests]).toBe(true);
    expect(c.as.issuer).toBe(`http://${host}`);
  }
  const https = await buildOAuthClient(base, "delegated");
  expect(https.options[oauth.allowInsecureRequests]).toBeUndefined();
});

test("missing settings name the profile field", async () => {
  expect((await failure({ oauthTokenUrl: null })).field).toBe("oauthTokenUrl");
  expect((await failure({ oauthClientId: " " })).field).toBe("oauthClientId");
  expect((await failure({ oauthProvider: "google" }, "app")).field).toBe("oauthServiceAccountKey");
  expect((await failure({ oauthProvider: "microsoft" }, "app")).field).toBe("oauthCertificatePem");
  expect((await failure({ oauthProvider: null })).code).toBe("not_configured");
});

test("issuers: Google's fixed one, Entra ID's per tenant, else the token endpoint's origin", async () => {
  const google = await buildOAuthClient({ ...base, oauthProvider: "google", oauthTokenUrl: "https://oauth2.googleapis.com/token" }, "delegated");
  expect(google.as.issuer).toBe("https://accounts.google.com");
  expect(google.scopes).toBe("https://mail.google.com/");
  const ms = await buildOAuthClient({ ...base, oauthProvider: "microsoft", oauthTokenUrl: "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token" }, "delegated");
  expect(ms.as.issuer).toBe("https://login.microsoftonline.us/contoso.onmicrosoft.com/v2.0");
});
