/**
 * A real OAuth 2.0 / OpenID Connect authorization server on loopback (npm
 * oidc-provider), standing in for Google's and Microsoft's endpoints in tests.
 *
 * Usage:
 *   const oauth = await startOAuthServer();                    // afterAll: await oauth.stop()
 *   oauth.addClient({ client_id: "mailroom", client_secret: "s3cret",
 *                     redirect_uris: ["http://127.0.0.1:3104/oauth/callback"] });
 *   // Point a profile at it: oauthTokenUrl = oauth.endpoints.token, oauthAuthorizationUrl =
 *   // oauth.endpoints.authorization, oauthRevocationUrl, oauthUserinfoUrl likewise.
 *
 * The authorization page is a plain form: an "Email" field (the account that signs in;
 * the test types any address) and a "Sign in" button, then a consent page listing the
 * scopes with "Allow" / "Deny". Code flow with PKCE (S256, required), refresh tokens
 * (always issued to clients allowed the refresh_token grant) rotated on every use,
 * revocation, introspection, client credentials (secret or private_key_jwt), and the
 * RFC 7523 JWT bearer grant (Google service accounts; see addServiceAccount).
 *
 * For mail servers: `introspectionUrl` answers a POSTed `token=` with
 * `{active: true, username}` for a live token of a user (or of an app allowed that
 * mailbox, see allowApp) and `{active: false}` otherwise — the shape Dovecot's
 * oauth2 passdb wants (an active answer without a username makes Dovecot 2.3 report
 * a temporary failure). Token lifetimes are settable (setTtl), token-endpoint
 * requests are counted per grant type (tokenRequests), and the token endpoint can
 * be made to fail (failTokenRequests) to test retries.
 */
import { execFileSync } from "node:child_process";
import { createPublicKey, createVerify, generateKeyPairSync, type JsonWebKey } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import Provider, { type Adapter, type AdapterPayload, type ClientMetadata, type KoaContextWithOIDC } from "oidc-provider";

export type OAuthServer = {
  issuer: string;
  endpoints: { authorization: string; token: string; revocation: string; userinfo: string; introspection: string };
  /** The mail servers' introspection shim (POST token=…; answers {active, username}). */
  introspectionUrl: string;
  /** Registers a client (oidc-provider metadata). Defaults: code + refresh_token grants, client_secret_post. */
  addClient(metadata: ClientMetadata): void;
  /**
   * Registers a Google-style service account for the JWT bearer grant: a client
   * `clientId` (no client authentication) whose assertions, signed with the returned
   * key and issued by `clientEmail`, are exchanged for a token acting as their `sub`.
   */
  addServiceAccount(clientEmail: string, clientId?: string): ServiceAccountKey;
  /**
   * Registers an app-only client that authenticates with a certificate (private_key_jwt,
   * as Entra ID apps may): returns the new RSA key and self-signed certificate, the
   * shape Mailroom seals in profiles.oauth_client_certificate_sealed.
   */
  addCertificateClient(clientId: string): { privateKeyPem: string; certificatePem: string };
  /** Lets an app (client credentials token of `clientId`) open these mailboxes (XOAUTH2 user = address). */
  allowApp(clientId: string, addresses: string[]): void;
  /** Lifetimes in seconds for tokens issued from now on. */
  setTtl(ttl: Partial<Ttl>): void;
  /** Token endpoint requests so far, by grant_type (successes and errors alike). */
  tokenRequests(): Record<string, number>;
  /** Token endpoint requests are answered `ms` later (0: at once), so concurrent callers overlap. */
  slowTokenRequests(ms: number): void;
  /** The next `count` token endpoint requests get HTTP `status` (e.g. 503, 429) without being processed. */
  failTokenRequests(count: number, status: number): void;
  /** Revokes every grant (refresh and access tokens) of an account, as when a user withdraws consent. */
  revokeAccount(accountId: string): Promise<void>;
  /** Every access and refresh token value issued so far (for the secrets crawl). */
  issuedTokens(): string[];
  /** Whether `token` is a live access token (user or app), by the server's own records. */
  isActive(token: string): Promise<boolean>;
  stop(): Promise<void>;
};

export type Ttl = { accessToken: number; refreshToken: number; clientCredentials: number };

/** A Google service account JSON key (the fields Mailroom reads). */
export type ServiceAccountKey = { type: "service_account"; client_email: string; client_id: string; private_key: string; private_key_id: string; token_uri: string };

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** A Map-backed adapter, so tokens can be enumerated (revokeAccount). */
function memoryAdapter(store: Map<string, { payload: AdapterPayload; expiresAt: number }>, issued: string[]) {
  return class MemoryAdapter implements Adapter {
    constructor(private readonly name: string) {}
    private key(id: string) {
      return `${this.name}:${id}`;
    }
    private live(key: string): AdapterPayload | undefined {
      const entry = store.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt && entry.expiresAt < Date.now()) {
        store.delete(key);
        return undefined;
      }
      return entry.payload;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      // Opaque tokens' values are their ids.
      if (["AccessToken", "RefreshToken", "ClientCredentials"].includes(this.name)) issued.push(id);
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : 0 });
    }
    async find(id: string) {
      return this.live(this.key(id));
    }
    async findByUserCode() {
      return undefined;
    }
    async findByUid(uid: string) {
      for (const [key, entry] of store) if (key.startsWith(`${this.name}:`) && entry.payload.uid === uid) return this.live(key);
      return undefined;
    }
    async consume(id: string) {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  };
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** Starts the server on 127.0.0.1 (a free port). Call stop() in afterAll. */
export async function startOAuthServer(opts: { ttl?: Partial<Ttl> } = {}): Promise<OAuthServer> {
  const ttl: Ttl = { accessToken: 3600, refreshToken: 14 * 24 * 3600, clientCredentials: 3600, ...opts.ttl };
  const counts: Record<string, number> = {};
  const failures = { count: 0, status: 503 };
  let tokenDelayMs = 0;
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const serviceAccounts = new Map<string, { publicKey: ReturnType<typeof createPublicKey>; clientId: string }>();
  const appMailboxes = new Map<string, Set<string>>();
  const clients: ClientMetadata[] = [];
  const issued: string[] = [];

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as JsonWebKey;

  let provider: Provider | undefined;
  const build = () => {
    const p = new Provider(issuer, {
      adapter: memoryAdapter(store, issued),
      clients,
      jwks: { keys: [{ ...signingKey, kid: "test", use: "sig", alg: "RS256" } as never] },
      cookies: { keys: ["mailroom-test-cookie-key"] },
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true }) }),
      claims: { openid: ["sub"], email: ["email", "email_verified"] },
      // Google and Entra ID put the address in the ID token too; the app may read it from there.
      conformIdTokenClaims: false,
      scopes: ["openid", "email", "profile", "offline_access", "https://mail.google.com/", "https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/POP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send", "https://outlook.office365.com/.default"],
      features: {
        devInteractions: { enabled: false },
        revocation: { enabled: true },
        introspection: { enabled: true },
        clientCredentials: { enabled: true },
        userinfo: { enabled: true },
      },
      pkce: { required: () => true },
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
      rotateRefreshToken: true,
      ttl: {
        AccessToken: () => ttl.accessToken,
        ClientCredentials: () => ttl.clientCredentials,
        RefreshToken: () => ttl.refreshToken,
        AuthorizationCode: 300,
        IdToken: 3600,
        Interaction: 3600,
        Session: 3600,
        Grant: () => ttl.refreshToken,
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      clientBasedCORS: () => true,
    });
    p.registerGrantType(JWT_BEARER, jwtBearerGrant, ["assertion", "scope"]);
    const count = (ctx: KoaContextWithOIDC) => {
      const grant = String(ctx.oidc.params?.grant_type ?? "unknown");
      counts[grant] = (counts[grant] ?? 0) + 1;
    };
    p.on("grant.success", count);
    p.on("grant.error", count);
    return p;
  };

  /** RFC 7523: a service account's signed assertion for `sub`, exchanged for a token acting as that user. */
  const jwtBearerGrant = async (ctx: KoaContextWithOIDC) => {
    const { InvalidGrant } = (await import("oidc-provider")).errors;
    const assertion = String(ctx.oidc.params?.assertion ?? "");
    const [h, pl, sig] = assertion.split(".");
    let claims: { iss?: string; sub?: string; aud?: string; exp?: number; scope?: string };
    try {
      claims = JSON.parse(Buffer.from(pl, "base64url").toString("utf8"));
      JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    } catch {
      throw new InvalidGrant("assertion is not a JWT");
    }
    const account = claims.iss ? serviceAccounts.get(claims.iss) : undefined;
    if (!account || account.clientId !== ctx.oidc.client!.clientId) throw new InvalidGrant("unknown issuer");
    const ok = createVerify("RSA-SHA256").update(`${h}.${pl}`).verify(account.publicKey, Buffer.from(sig ?? "", "base64url"));
    if (!ok) throw new InvalidGrant("bad assertion signature");
    if (claims.aud !== `${issuer}/token`) throw new InvalidGrant("bad audience");
    if (!claims.exp || claims.exp * 1000 < Date.now()) throw new InvalidGrant("assertion expired");
    if (!claims.sub) throw new InvalidGrant("no subject");
    const scope = claims.scope ?? "https://mail.google.com/";
    const pr = provider!;
    const grant = new pr.Grant({ accountId: claims.sub, clientId: ctx.oidc.client!.clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const token = new pr.AccessToken({ accountId: claims.sub, client: ctx.oidc.client!, grantId, scope, gty: "jwt_bearer" });
    const value = await token.save();
    ctx.body = { access_token: value, token_type: "Bearer", expires_in: token.expiration, scope };
  };

  provider = build();
  let handler = provider.callback();

  /** The username a live token may sign in as, for Dovecot and smtp-server. */
  const introspect = async (token: string): Promise<string[] | null> => {
    const pr = provider!;
    const user = await pr.AccessToken.find(token);
    if (user && !user.isExpired && user.accountId) return [user.accountId];
    const app = await pr.ClientCredentials.find(token);
    if (app && !app.isExpired) return [...(appMailboxes.get(app.clientId ?? "") ?? [])];
    return null;
  };

  server.on("request", async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", issuer);
      if (req.method === "POST" && url.pathname === "/token" && tokenDelayMs > 0) await new Promise((r) => setTimeout(r, tokenDelayMs));
      if (req.method === "POST" && url.pathname === "/token" && failures.count > 0) {
        failures.count--;
        counts.failed = (counts.failed ?? 0) + 1;
        res.writeHead(failures.status, { "content-type": "application/json", "retry-after": "1" });
        res.end(JSON.stringify({ error: failures.status === 429 ? "slow_down" : "temporarily_unavailable" }));
        return;
      }
      if (url.pathname === "/mail-introspect") {
        // Dovecot may send the login name as ?user=; smtp-server sends it in the form.
        const form = await readForm(req);
        const token = form.get("token") ?? "";
        const wanted = (url.searchParams.get("user") ?? form.get("user") ?? "").toLowerCase();
        const users = await introspect(token);
        const username = users && (wanted ? users.find((u) => u.toLowerCase() === wanted) : users[0]);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(username ? { active: true, username } : { active: false }));
        return;
      }
      const interaction = /^\/interaction\/([^/]+)(\/(login|consent|deny))?$/.exec(url.pathname);
      if (interaction) {
        await interact(req, res, interaction[3]);
        return;
      }
      handler(req, res);
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(err));
    }
  });

  const interact = async (req: http.IncomingMessage, res: http.ServerResponse, action: string | undefined) => {
    const pr = provider!;
    const details = await pr.interactionDetails(req, res);
    const uid = details.uid;
    if (!action) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      if (details.prompt.name === "login") {
        res.end(
          page(
            "Sign in to the test provider",
            `<form method="post" action="/interaction/${uid}/login"><label>Email <input name="email" type="email" autofocus required></label> <button type="submit">Sign in</button></form>`,
          ),
        );
      } else {
        const scopes = String(details.params.scope ?? "").split(" ").filter(Boolean);
        res.end(
          page(
            "Allow access",
            `<p>${escapeHtml(String(details.params.client_id))} asks for:</p><ul>${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>` +
              `<form method="post" action="/interaction/${uid}/consent"><button type="submit">Allow</button></form>` +
              `<form method="post" action="/interaction/${uid}/deny"><button type="submit">Deny</button></form>`,
          ),
        );
      }
      return;
    }
    if (action === "login") {
      const email = (await readForm(req)).get("email")?.trim();
      if (!email) throw new Error("no email");
      await pr.interactionFinished(req, res, { login: { accountId: email } }, { mergeWithLastSubmission: false });
      return;
    }
    if (action === "deny") {
      await readForm(req);
      await pr.interactionFinished(req, res, { error: "access_denied", error_description: "The user denied access." }, { mergeWithLastSubmission: false });
      return;
    }
    await readForm(req);
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error("consent without a session");
    const grant = details.grantId ? await pr.Grant.find(details.grantId) : new pr.Grant({ accountId, clientId: String(details.params.client_id) });
    grant!.addOIDCScope(String(details.params.scope ?? ""));
    const grantId = await grant!.save();
    await pr.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  // Clients are read when the provider is built, so adding one rebuilds it (tokens live in `store`).
  const rebuild = () => {
    provider = build();
    handler = provider.callback();
  };

  const addClient = (metadata: ClientMetadata) => {
    clients.push({
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: metadata.client_secret ? "client_secret_post" : metadata.jwks ? "private_key_jwt" : "none",
      redirect_uris: [],
      ...metadata,
    });
    rebuild();
  };

  return {
    issuer,
    endpoints: {
      authorization: `${issuer}/auth`,
      token: `${issuer}/token`,
      revocation: `${issuer}/token/revocation`,
      userinfo: `${issuer}/me`,
      introspection: `${issuer}/token/introspection`,
    },
    introspectionUrl: `${issuer}/mail-introspect`,
    addClient,
    addServiceAccount(clientEmail, clientId = `sa-${clients.length + 1}`) {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      serviceAccounts.set(clientEmail, { publicKey, clientId });
      clients.push({ client_id: clientId, grant_types: [JWT_BEARER], response_types: [], redirect_uris: [], token_endpoint_auth_method: "none" });
      rebuild();
      return {
        type: "service_account",
        client_email: clientEmail,
        client_id: clientId,
        private_key: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
        private_key_id: "test-key",
        token_uri: `${issuer}/token`,
      };
    },
    addCertificateClient(clientId) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailroom-oauth-cert-"));
      try {
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${clientId}`, "-days", "2", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
        const privateKeyPem = fs.readFileSync(path.join(dir, "key.pem"), "utf8");
        const certificatePem = fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
        const jwk = createPublicKey(privateKeyPem).export({ format: "jwk" });
        addClient({ client_id: clientId, grant_types: ["client_credentials"], response_types: [], redirect_uris: [], token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [{ ...jwk, alg: "RS256", use: "sig" } as never] } });
        return { privateKeyPem, certificatePem };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    allowApp(clientId, addresses) {
      const set = appMailboxes.get(clientId) ?? new Set<string>();
      for (const a of addresses) set.add(a);
      appMailboxes.set(clientId, set);
    },
    setTtl(next) {
      Object.assign(ttl, next);
    },
    tokenRequests: () => ({ ...counts }),
    slowTokenRequests(ms) {
      tokenDelayMs = ms;
    },
    failTokenRequests(count, status) {
      failures.count = count;
      failures.status = status;
    },
    async revokeAccount(accountId) {
      for (const [key, entry] of [...store]) if (entry.payload.accountId === accountId) store.delete(key);
    },
    issuedTokens: () => [...issued],
    async isActive(token) {
      return (await introspect(token)) !== null;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
