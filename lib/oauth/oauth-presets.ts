// Pure: imported by the profile form on the client (to prefill endpoints and scopes
// as soon as a server type, tenant or cloud is chosen) and by the server (to fill
// blanks on save and to tell a provider's errors apart). No node: imports here.

/** Who issues the tokens: Google, Microsoft (Entra ID), or any other OAuth 2.0 server given by hand. */
export const oauthProviders = ["google", "microsoft", "generic"] as const;
export type OAuthProvider = (typeof oauthProviders)[number];

/** Microsoft's clouds: worldwide, US Government (GCC High / DoD), China (operated by 21Vianet). */
export const oauthClouds = ["global", "usgov", "china"] as const;
export type OAuthCloud = (typeof oauthClouds)[number];

export type OAuthEndpoints = {
  authorizationUrl: string;
  tokenUrl: string;
  /** "" when the provider has no RFC 7009 revocation endpoint (Microsoft). */
  revocationUrl: string;
  userinfoUrl: string;
};

/** The provider a server type implies: Gmail → Google, Microsoft 365 → Microsoft, POP3/SMTP → endpoints by hand. */
export function providerForServerType(serverType: string): OAuthProvider {
  if (serverType === "gmail") return "google";
  if (serverType === "microsoft365") return "microsoft";
  return "generic";
}

/**
 * The tenant used when none is given: "organizations" lets any work or school
 * account sign in (delegated). App-only needs the organisation's own tenant.
 */
export const defaultMicrosoftTenant = "organizations";

/** Tenants that name no single organisation: the client credentials grant refuses them. */
export const multiTenantNames = ["common", "organizations", "consumers"] as const;

const microsoftLogin: Record<OAuthCloud, string> = {
  global: "https://login.microsoftonline.com",
  usgov: "https://login.microsoftonline.us",
  china: "https://login.chinacloudapi.cn",
};

const microsoftGraph: Record<OAuthCloud, string> = {
  global: "https://graph.microsoft.com",
  usgov: "https://graph.microsoft.us",
  china: "https://microsoftgraph.chinacloudapi.cn",
};

/** The Exchange Online resource whose IMAP/POP/SMTP permissions are asked for, per cloud. */
const exchangeResource: Record<OAuthCloud, { delegated: string; appOnly: string }> = {
  global: { delegated: "https://outlook.office.com", appOnly: "https://outlook.office365.com" },
  usgov: { delegated: "https://outlook.office365.us", appOnly: "https://outlook.office365.us" },
  china: { delegated: "https://partner.outlook.cn", appOnly: "https://partner.outlook.cn" },
};

export const googleEndpoints: OAuthEndpoints = {
  authorizationUrl: "https://accounts.google.com/o/oauth2/v2/auth",
  tokenUrl: "https://oauth2.googleapis.com/token",
  revocationUrl: "https://oauth2.googleapis.com/revoke",
  userinfoUrl: "https://openidconnect.googleapis.com/v1/userinfo",
};

/** The scope that lets a Google token read and send mail over IMAP, POP and SMTP. */
export const googleMailScope = "https://mail.google.com/";

/** Scopes that make the provider say who signed in (an ID token with the address). */
export const identityScopes = ["openid", "email"] as const;

/**
 * The endpoints of a provider, filled for a tenant and cloud (Microsoft). A blank
 * tenant is "organizations". A generic provider has none: they are typed by hand.
 */
export function presetEndpoints(provider: OAuthProvider, options: { tenant?: string | null; cloud?: OAuthCloud | null } = {}): OAuthEndpoints {
  if (provider === "google") return googleEndpoints;
  if (provider === "generic") return { authorizationUrl: "", tokenUrl: "", revocationUrl: "", userinfoUrl: "" };
  const cloud = options.cloud ?? "global";
  const tenant = encodeURIComponent(options.tenant?.trim() || defaultMicrosoftTenant);
  const base = `${microsoftLogin[cloud]}/${tenant}/oauth2/v2.0`;
  return { authorizationUrl: `${base}/authorize`, tokenUrl: `${base}/token`, revocationUrl: "", userinfoUrl: `${microsoftGraph[cloud]}/oidc/userinfo` };
}

/**
 * The scopes a provider's mail access needs. Delegated ("mailbox": each mailbox
 * signs in): Google's mail scope; Microsoft's IMAP, POP and SMTP permissions with
 * offline_access (so a refresh token is issued) and openid email (so the ID token
 * names the account). App-only ("profile"): Microsoft's .default of Exchange Online.
 */
export function presetScopes(provider: OAuthProvider, credentialMode: "mailbox" | "profile", cloud: OAuthCloud | null = "global"): string {
  if (provider === "google") return googleMailScope;
  if (provider === "generic") return "";
  const resource = exchangeResource[cloud ?? "global"];
  if (credentialMode === "profile") return `${resource.appOnly}/.default`;
  const r = resource.delegated;
  return [`${r}/IMAP.AccessAsUser.All`, `${r}/POP.AccessAsUser.All`, `${r}/SMTP.Send`, "offline_access", ...identityScopes].join(" ");
}

/** Every value presetScopes can return, so a form can tell a prefilled scope list from one the admin typed. */
export function allPresetScopes(): Set<string> {
  const all = new Set<string>();
  for (const provider of oauthProviders) {
    for (const mode of ["mailbox", "profile"] as const) for (const cloud of oauthClouds) all.add(presetScopes(provider, mode, cloud));
  }
  all.delete("");
  return all;
}

/** Every endpoint presetEndpoints can return for a tenant, so a form can replace prefilled values but keep typed ones. */
export function isPresetEndpoint(url: string): boolean {
  if (!url) return true;
  if (Object.values(googleEndpoints).includes(url)) return true;
  return Object.values(microsoftLogin).some((b) => url.startsWith(`${b}/`)) || Object.values(microsoftGraph).some((b) => url === `${b}/oidc/userinfo`);
}

/**
 * The scope string to ask for at sign-in: the profile's scopes, plus openid and
 * email for Google and Microsoft, whose ID token then names the account that
 * signed in (checked against the mailbox's address). Order kept, no duplicates.
 */
export function withIdentityScopes(provider: OAuthProvider, scopes: string): string {
  const list = scopes.split(/\s+/).filter(Boolean);
  if (provider !== "generic") for (const s of identityScopes) if (!list.includes(s)) list.push(s);
  return list.join(" ");
}

/** The button's provider name: "Sign in with Google" / "Sign in with Microsoft" / "Sign in". */
export function providerLabel(provider: OAuthProvider): "Google" | "Microsoft" | null {
  return provider === "google" ? "Google" : provider === "microsoft" ? "Microsoft" : null;
}
