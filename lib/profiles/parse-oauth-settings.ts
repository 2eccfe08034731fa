// The OAuth 2.0 app fields of the profile form (SPEC §1). Pure like profile-input.ts
// (the client imports the field names); it reports problems as catalogue keys.
import type { MessageKey } from "../i18n/catalog";
import {
  defaultMicrosoftTenant,
  multiTenantNames,
  oauthClouds,
  presetEndpoints,
  presetScopes,
  providerForServerType,
  type OAuthCloud,
  type OAuthProvider,
} from "../oauth/oauth-presets";
import type { SecretChange } from "./profile-input";

/** The form's OAuth field names (the secret ones are never echoed back: see echoValues). */
export const oauthFields = [
  "oauthClientId",
  "oauthClientSecret",
  "clearOauthClientSecret",
  "oauthCertificatePem",
  "oauthPrivateKeyPem",
  "clearOauthCertificate",
  "oauthServiceAccountKey",
  "clearOauthServiceAccountKey",
  "oauthTenant",
  "oauthCloud",
  "oauthAuthorizationUrl",
  "oauthTokenUrl",
  "oauthRevocationUrl",
  "oauthUserinfoUrl",
  "oauthScopes",
  "oauthSecretExpiresAt",
] as const;
export type OAuthField = (typeof oauthFields)[number];

/** A profile's validated OAuth app, ready to store; null when neither direction uses OAuth 2.0. */
export type OAuthSettingsInput = {
  provider: OAuthProvider;
  clientId: string | null;
  clientSecret: SecretChange;
  /** Sealed as JSON {privateKeyPem, certificatePem} (Microsoft app-only). */
  certificate: SecretChange;
  /** The service account's JSON key as pasted (Google app-only). */
  serviceAccountKey: SecretChange;
  tenant: string | null;
  cloud: OAuthCloud | null;
  authorizationUrl: string | null;
  tokenUrl: string;
  revocationUrl: string | null;
  userinfoUrl: string | null;
  scopes: string;
  secretExpiresAt: Date | null;
};

export type OAuthSettingsContext = {
  serverType: string;
  credentialMode: "mailbox" | "profile";
  usesOAuth: boolean;
  /** Plain HTTP without the deployment's permission: typed secrets are refused. */
  locked: boolean;
  existing?: { oauthClientSecretSet: boolean; oauthCertificateSet: boolean; oauthServiceAccountKeySet: boolean } | null;
};

export type OAuthFail = (field: OAuthField, key: MessageKey, params?: Record<string, string | number>) => void;

const providerNames: Record<OAuthProvider, string> = { google: "Google", microsoft: "Microsoft", generic: "the provider" };
const loopbackHosts = new Set(["127.0.0.1", "[::1]", "localhost"]);
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const domain = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * Validates the OAuth 2.0 app of a profile whose incoming or outgoing protocol is
 * OAuth 2.0: the client and its credential for the provider and mode (delegated:
 * client ID + secret; Microsoft app-only: tenant + secret or certificate; Google
 * app-only: a service account key), the endpoints (https, or http on loopback;
 * blank ones prefilled for Google and Microsoft), the scopes (prefilled) and the
 * secret's expiry date. Secrets follow the password rules: blank keeps, "clear"
 * removes, a credential the mode does not use is dropped. Returns null when the
 * profile does not use OAuth (its OAuth columns are then cleared), or when a
 * field failed (reported through `fail`).
 */
export function parseOAuthSettings(source: Record<string, unknown>, ctx: OAuthSettingsContext, fail: OAuthFail, refuse: (field: OAuthField) => void): OAuthSettingsInput | null | "invalid" {
  if (!ctx.usesOAuth) return null;
  const provider = providerForServerType(ctx.serverType);
  const appOnly = ctx.credentialMode === "profile";
  const name = providerNames[provider];
  const str = (field: OAuthField) => {
    const v = source[field];
    return typeof v === "string" ? v.trim() : "";
  };
  const ticked = (field: OAuthField) => ["on", "true", "1"].includes(String(source[field] ?? ""));
  let ok = true;
  const bad: OAuthFail = (field, key, params) => {
    ok = false;
    fail(field, key, params);
  };
  const limit = (field: OAuthField, value: string, max: number) => {
    if (value.length > max) bad(field, "oauth.error.tooLong", { max });
    return value;
  };
  // A typed secret over plain HTTP is refused and then treated as blank.
  const typed = (field: OAuthField) => {
    const v = typeof source[field] === "string" ? (source[field] as string) : "";
    if (v.trim() === "") return "";
    if (ctx.locked) {
      ok = false;
      refuse(field);
      return "";
    }
    return v.trim();
  };

  // Cloud and tenant first: Microsoft's endpoints and scopes are built from them.
  let cloud: OAuthCloud | null = null;
  let tenant: string | null = null;
  if (provider === "microsoft") {
    const c = str("oauthCloud") || "global";
    if ((oauthClouds as readonly string[]).includes(c)) cloud = c as OAuthCloud;
    else bad("oauthCloud", "oauth.error.cloudInvalid");
    tenant = limit("oauthTenant", str("oauthTenant"), 253) || defaultMicrosoftTenant;
    const multi = (multiTenantNames as readonly string[]).includes(tenant.toLowerCase());
    if (!multi && !guid.test(tenant) && !domain.test(tenant)) bad("oauthTenant", "oauth.error.tenantInvalid");
    else if (appOnly && multi) bad("oauthTenant", "oauth.error.tenantAppOnly", { tenant });
  }

  const preset = presetEndpoints(provider, { tenant, cloud });
  const url = (field: OAuthField, fallback: string, required: boolean): string | null => {
    const v = limit(field, str(field), 2000) || fallback;
    if (!v) {
      if (required) bad(field, "oauth.error.urlRequired");
      return null;
    }
    if (!isAllowedEndpoint(v)) bad(field, "oauth.error.urlInvalid");
    return v;
  };
  const authorizationUrl = url("oauthAuthorizationUrl", preset.authorizationUrl, !appOnly);
  const tokenUrl = url("oauthTokenUrl", preset.tokenUrl, true);
  const revocationUrl = url("oauthRevocationUrl", preset.revocationUrl, false);
  const userinfoUrl = url("oauthUserinfoUrl", preset.userinfoUrl, false);

  const scopes = limit("oauthScopes", str("oauthScopes").split(/\s+/).filter(Boolean).join(" "), 2000) || presetScopes(provider, ctx.credentialMode, cloud);
  if (!scopes) bad("oauthScopes", "oauth.error.scopesRequired");

  // Google app-only authenticates with the service account's own key; everything else with a client ID.
  const googleAppOnly = provider === "google" && appOnly;
  const clientId = limit("oauthClientId", str("oauthClientId"), 512) || null;
  if (!clientId && !googleAppOnly) bad("oauthClientId", "oauth.error.clientIdRequired", { provider: name });

  const existing = ctx.existing ?? null;
  const secretTyped = typed("oauthClientSecret");
  if (secretTyped.length > 4096) bad("oauthClientSecret", "oauth.error.tooLong", { max: 4096 });
  const certTyped = typed("oauthCertificatePem");
  const keyTyped = typed("oauthPrivateKeyPem");
  const saTyped = typed("oauthServiceAccountKey");

  // Which credential the provider and mode use.
  const usesSecret = !googleAppOnly;
  const usesCertificate = provider === "microsoft" && appOnly;
  const change = (value: string, clear: boolean, used: boolean): SecretChange => {
    if (!used) return { kind: "clear" };
    if (value) return { kind: "set", value };
    return clear ? { kind: "clear" } : { kind: "keep" };
  };
  const clientSecret = change(secretTyped, ticked("clearOauthClientSecret"), usesSecret);
  let certificate: SecretChange = change("", ticked("clearOauthCertificate"), usesCertificate);
  if (usesCertificate && (certTyped || keyTyped)) {
    if (certTyped && !/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(certTyped)) bad("oauthCertificatePem", "oauth.error.certificateInvalid");
    if (keyTyped && !/^-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (RSA |EC )?PRIVATE KEY-----$/.test(keyTyped)) bad("oauthPrivateKeyPem", "oauth.error.privateKeyInvalid");
    if (!certTyped || !keyTyped) bad(certTyped ? "oauthPrivateKeyPem" : "oauthCertificatePem", "oauth.error.certificatePairIncomplete");
    certificate = { kind: "set", value: JSON.stringify({ privateKeyPem: keyTyped, certificatePem: certTyped }) };
  }
  let serviceAccountKey = change("", ticked("clearOauthServiceAccountKey"), googleAppOnly);
  if (googleAppOnly && saTyped) {
    if (!isServiceAccountKey(saTyped)) bad("oauthServiceAccountKey", "oauth.error.serviceAccountKeyInvalid");
    serviceAccountKey = { kind: "set", value: saTyped };
  }

  const has = (c: SecretChange, stored: boolean | undefined) => c.kind === "set" || (c.kind === "keep" && !!stored);
  const secretPresent = has(clientSecret, existing?.oauthClientSecretSet);
  const clearedNeeded = (field: OAuthField) => bad(field, "oauth.error.clearInsteadOfReplace");
  if (googleAppOnly) {
    if (!has(serviceAccountKey, existing?.oauthServiceAccountKeySet) && !ctx.locked) {
      if (serviceAccountKey.kind === "clear" && existing?.oauthServiceAccountKeySet) clearedNeeded("clearOauthServiceAccountKey");
      else bad("oauthServiceAccountKey", "oauth.error.serviceAccountKeyRequired");
    }
  } else if (usesCertificate) {
    if (!secretPresent && !has(certificate, existing?.oauthCertificateSet) && !ctx.locked) bad("oauthClientSecret", "oauth.error.secretOrCertificateRequired");
  } else if ((provider !== "generic" || appOnly) && !secretPresent && !ctx.locked) {
    // Google and Microsoft web apps, and any client credentials grant, need the secret; a generic public client may use PKCE alone.
    if (clientSecret.kind === "clear" && existing?.oauthClientSecretSet) clearedNeeded("clearOauthClientSecret");
    else bad("oauthClientSecret", provider === "generic" ? "oauth.error.genericAppOnly" : "oauth.error.clientSecretRequired", { provider: name });
  }

  let secretExpiresAt: Date | null = null;
  const expiry = str("oauthSecretExpiresAt");
  if (expiry) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiry);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    if (!d || Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m![3])) bad("oauthSecretExpiresAt", "oauth.error.dateInvalid");
    else secretExpiresAt = d;
  }

  if (!ok || !tokenUrl) return "invalid";
  return { provider, clientId, clientSecret, certificate, serviceAccountKey, tenant, cloud, authorizationUrl, tokenUrl, revocationUrl, userinfoUrl, scopes, secretExpiresAt };
}

/** https anywhere, plain http only to this machine (a local test server); no credentials or fragment in the URL. */
export function isAllowedEndpoint(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username || u.password || u.hash) return false;
  if (u.protocol === "https:") return true;
  return u.protocol === "http:" && loopbackHosts.has(u.hostname);
}

/** Whether `json` is a Google service account key: type, client_email and a PEM private_key. */
export function isServiceAccountKey(json: string): boolean {
  try {
    const k = JSON.parse(json) as Record<string, unknown>;
    return k.type === "service_account" && typeof k.client_email === "string" && typeof k.private_key === "string" && k.private_key.includes("PRIVATE KEY");
  } catch {
    return false;
  }
}
