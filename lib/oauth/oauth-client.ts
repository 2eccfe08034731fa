import { createHash, createPrivateKey, sign, webcrypto, X509Certificate } from "node:crypto";
import https from "node:https";
import net from "node:net";
import * as oauth from "oauth4webapi";
import { profiles, type Profile } from "../../db/schema/profiles";
import { openSecret } from "../crypto/open-secret";
import { extraCa } from "../mail/extra-ca";
import { mailTlsOptions } from "../mail/tls-options";
import { OAuthError, type OAuthErrorField } from "./oauth-error";
import { sealContext } from "../crypto/seal-context";

/** The profile columns an OAuth client is built from. */
export type OAuthProfileSettings = Pick<
  Profile,
  | "id"
  | "oauthProvider"
  | "oauthClientId"
  | "oauthClientSecretSealed"
  | "oauthClientCertificateSealed"
  | "oauthServiceAccountKeySealed"
  | "oauthTenant"
  | "oauthAuthorizationUrl"
  | "oauthTokenUrl"
  | "oauthRevocationUrl"
  | "oauthUserinfoUrl"
  | "oauthScopes"
>;

export type OAuthProvider = "google" | "microsoft" | "generic";

/** Options passed to every oauth4webapi request made with this client. */
export type OAuthRequestOptions = {
  [oauth.allowInsecureRequests]?: boolean;
  [oauth.customFetch]?: typeof fetch;
  signal: () => AbortSignal;
};

/**
 * Everything needed to talk to a profile's authorization server with oauth4webapi:
 * the server (`as`), the client and how it authenticates, the scopes, and the
 * request options (timeout, plain HTTP on loopback only, the extra CA). For
 * Google app-only, `jwtBearerAssertion(subject)` signs the RFC 7523 assertion.
 */
export type OAuthClient = {
  provider: OAuthProvider;
  grant: "delegated" | "app";
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  /** Space-separated scopes to request. */
  scopes: string;
  options: OAuthRequestOptions;
  jwtBearerAssertion?: (subject: string) => string;
  /** The profile field holding the client's credential (named when the provider refuses it). */
  credentialField: OAuthErrorField;
};

/** Sealed JSON of a Microsoft app-only certificate credential. */
type CertificateCredential = { privateKeyPem: string; certificatePem: string };
/** The fields of a Google service account JSON key we use. */
type ServiceAccountKey = { client_email: string; private_key: string; private_key_id?: string; client_id?: string; token_uri?: string };

const TIMEOUT_MS = 30_000;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "::1", "localhost"]);
const GOOGLE_SCOPE = "https://mail.google.com/";
const MICROSOFT_APP_SCOPE = "https://outlook.office365.com/.default";

/**
 * Builds the OAuth client for a profile, for delegated sign-ins (authorization
 * code, refresh) or app-only tokens (Microsoft client credentials with a secret
 * or certificate; Google JWT bearer with the service account key). Opens the
 * sealed secrets it needs. Throws OAuthError("not_configured" / "insecure_endpoint")
 * naming the profile field at fault.
 *
 * Built on oauth4webapi: maintained, zero-dependency, and strict about the specs
 * (it checks responses, ID token claims and PKCE for us instead of hand-written code).
 */
export async function buildOAuthClient(p: OAuthProfileSettings, grant: "delegated" | "app"): Promise<OAuthClient> {
  const provider = (p.oauthProvider ?? "") as OAuthProvider;
  if (!["google", "microsoft", "generic"].includes(provider)) throw new OAuthError("not_configured", "permanent", null, "the profile does not use OAuth");
  const tokenUrl = endpoint(p.oauthTokenUrl, "oauthTokenUrl", true)!;
  const authorizationUrl = endpoint(p.oauthAuthorizationUrl, "oauthAuthorizationUrl", false);
  const revocationUrl = endpoint(p.oauthRevocationUrl, "oauthRevocationUrl", false);
  const userinfoUrl = endpoint(p.oauthUserinfoUrl, "oauthUserinfoUrl", false);
  const insecure = [tokenUrl, authorizationUrl, revocationUrl, userinfoUrl].some((u) => u?.protocol === "http:");

  const as: oauth.AuthorizationServer = {
    issuer: issuerOf(provider, tokenUrl),
    token_endpoint: tokenUrl.href,
    authorization_endpoint: authorizationUrl?.href,
    revocation_endpoint: revocationUrl?.href,
    userinfo_endpoint: userinfoUrl?.href,
    code_challenge_methods_supported: ["S256"],
  };
  if (provider === "microsoft" && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(tokenUrl.pathname)) {
    // Entra ID signs ID tokens as https://<login host>/<tenant id>/v2.0 even when the
    // endpoints say "common" or "organizations": expect the tenant the token names.
    // oauth4webapi exports this hook (untyped) for exactly this case; openid-client uses it the same way.
    const expectedIssuer = (oauth as unknown as { _expectedIssuer?: symbol })._expectedIssuer;
    if (expectedIssuer) {
      (as as unknown as Record<symbol, unknown>)[expectedIssuer] = (result: { claims: { tid?: unknown } }) =>
        `${tokenUrl.origin}/${typeof result.claims.tid === "string" ? result.claims.tid : p.oauthTenant}/v2.0`;
    }
  }
  const options: OAuthRequestOptions = { signal: () => AbortSignal.timeout(TIMEOUT_MS) };
  if (insecure) options[oauth.allowInsecureRequests] = true;
  const ca = extraCa();
  if (ca) options[oauth.customFetch] = fetchTrusting(ca);

  const defaultScopes = provider === "google" ? GOOGLE_SCOPE : provider === "microsoft" && grant === "app" ? MICROSOFT_APP_SCOPE : "";
  const scopes = (p.oauthScopes ?? "").trim() || defaultScopes;

  if (grant === "app" && provider === "google") {
    if (!p.oauthServiceAccountKeySealed) throw new OAuthError("not_configured", "permanent", "oauthServiceAccountKey", "no service account key");
    const key = parseServiceAccountKey(openSecret(p.oauthServiceAccountKeySealed, sealContext(profiles.oauthServiceAccountKeySealed, p.id)));
    return {
      provider,
      grant,
      as,
      // Google authenticates the JWT bearer grant by the assertion's signature alone.
      client: { client_id: key.client_id ?? key.client_email },
      clientAuth: oauth.None(),
      scopes: scopes || GOOGLE_SCOPE,
      options,
      jwtBearerAssertion: (subject) => signServiceAccountAssertion(key, subject, tokenUrl.href, scopes || GOOGLE_SCOPE),
      credentialField: "oauthServiceAccountKey",
    };
  }

  if (!p.oauthClientId?.trim()) throw new OAuthError("not_configured", "permanent", "oauthClientId", "no client ID");
  const client: oauth.Client = { client_id: p.oauthClientId.trim() };
  let clientAuth: oauth.ClientAuth;
  if (p.oauthClientSecretSealed) {
    clientAuth = oauth.ClientSecretPost(openSecret(p.oauthClientSecretSealed, sealContext(profiles.oauthClientSecretSealed, p.id)));
  } else if (p.oauthClientCertificateSealed) {
    clientAuth = await certificateAuth(openSecret(p.oauthClientCertificateSealed, sealContext(profiles.oauthClientCertificateSealed, p.id)), tokenUrl.href);
  } else if (grant === "app") {
    throw new OAuthError("not_configured", "permanent", provider === "microsoft" ? "oauthCertificatePem" : "oauthClientSecret", "no client secret or certificate");
  } else {
    // A public client: PKCE alone protects the code exchange.
    clientAuth = oauth.None();
  }
  if (grant === "app" && provider === "microsoft" && !p.oauthTenant?.trim() && !/\/[^/]+\/oauth2\//.test(tokenUrl.pathname)) {
    throw new OAuthError("not_configured", "permanent", "oauthTenant", "app-only tokens need the tenant");
  }
  const credentialField: OAuthErrorField = p.oauthClientSecretSealed ? "oauthClientSecret" : p.oauthClientCertificateSealed ? "oauthCertificatePem" : "oauthClientId";
  return { provider, grant, as, client, clientAuth, scopes, options, credentialField };
}

/** Parses an endpoint: HTTPS, or plain HTTP on a loopback host only (tests, a local proxy). */
function endpoint(value: string | null, field: "oauthTokenUrl" | "oauthAuthorizationUrl" | "oauthRevocationUrl" | "oauthUserinfoUrl", required: boolean): URL | undefined {
  const text = value?.trim();
  if (!text) {
    if (required) throw new OAuthError("not_configured", "permanent", field, `no ${field}`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OAuthError("not_configured", "permanent", field, `${field} is not a URL`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new OAuthError("insecure_endpoint", "permanent", field, `${field} must use https`);
}

/** The issuer ID tokens from this server carry (checked by oauth4webapi). */
function issuerOf(provider: OAuthProvider, tokenUrl: URL): string {
  if (provider === "google" && /(^|\.)google(apis)?\.com$/.test(tokenUrl.hostname)) return "https://accounts.google.com";
  const tenantPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(tokenUrl.pathname);
  if (provider === "microsoft" && tenantPath) return `${tokenUrl.origin}/${tenantPath[1]}/v2.0`;
  // Any other server (generic providers, the test server): its origin.
  return tokenUrl.origin;
}

function parseServiceAccountKey(json: string): ServiceAccountKey {
  let key: Partial<ServiceAccountKey>;
  try {
    key = JSON.parse(json) as Partial<ServiceAccountKey>;
  } catch {
    throw new OAuthError("not_configured", "permanent", "oauthServiceAccountKey", "the service account key is not JSON");
  }
  if (typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    throw new OAuthError("not_configured", "permanent", "oauthServiceAccountKey", "the service account key lacks client_email or private_key");
  }
  return key as ServiceAccountKey;
}

/** The RFC 7523 assertion Google exchanges for a token acting as `subject` (domain-wide delegation). */
function signServiceAccountAssertion(key: ServiceAccountKey, subject: string, audience: string, scope: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const payload = { iss: key.client_email, sub: subject, scope, aud: audience, iat: now, exp: now + 3600 };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = sign("sha256", Buffer.from(input), createPrivateKey(key.private_key));
  return `${input}.${signature.toString("base64url")}`;
}

/**
 * private_key_jwt with the certificate's key, as Entra ID wants it: RS256, the
 * certificate's SHA-1 thumbprint in `x5t`, audience = the token endpoint.
 */
async function certificateAuth(json: string, tokenUrl: string): Promise<oauth.ClientAuth> {
  let cred: CertificateCredential;
  let der: Buffer;
  try {
    cred = JSON.parse(json) as CertificateCredential;
    der = createPrivateKey(cred.privateKeyPem).export({ format: "der", type: "pkcs8" });
  } catch {
    throw new OAuthError("not_configured", "permanent", "oauthCertificatePem", "the certificate's private key cannot be read");
  }
  let thumbprint: string;
  try {
    thumbprint = createHash("sha1").update(new X509Certificate(cred.certificatePem).raw).digest("base64url");
  } catch {
    throw new OAuthError("not_configured", "permanent", "oauthCertificatePem", "the certificate cannot be read");
  }
  const key = await webcrypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  return oauth.PrivateKeyJwt(key as CryptoKey, {
    [oauth.modifyAssertion]: (header, payload) => {
      header.x5t = thumbprint;
      payload.aud = tokenUrl;
    },
  });
}

function b64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}

/**
 * fetch over node:https trusting the extra CA (MAILROOM_EXTRA_CA_FILE) beside the
 * system roots, as the mail connectors do; the global fetch cannot take a CA.
 */
function fetchTrusting(ca: Buffer): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.protocol !== "https:") return fetch(input, init);
    const headers = new Headers(init?.headers);
    const body = init?.body === undefined || init.body === null ? undefined : String(init.body);
    return new Promise<Response>((resolve, reject) => {
      const host = url.hostname.replace(/^\[|\]$/g, "");
      const req = https.request(
        url,
        { ...mailTlsOptions(host, ca), method: init?.method ?? "GET", headers: Object.fromEntries(headers), servername: net.isIP(host) ? undefined : host, signal: init?.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
            resolve(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: h }));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }) as typeof fetch;
}
