import { z } from "zod";

/**
 * The environment, parsed once with zod. Nothing else reads `process.env`
 * (scripts that start processes set these variables before they start).
 */
const schema = z.object({
  /** Required by the processes that use the database; see databaseUrl(). */
  DATABASE_URL: z.string().min(1).optional(),
  /** Signs session tokens (next-auth). */
  AUTH_SECRET: z.string().min(16).optional(),
  /**
   * Seals stored mail passwords: "<keyId>:<base64 32 bytes>". Older keys that may
   * still seal some secrets go in MAILROOM_OLD_SECRET_KEYS, comma separated.
   */
  MAILROOM_SECRET_KEY: z.string().optional(),
  MAILROOM_OLD_SECRET_KEYS: z.string().optional(),
  /** The guide's AllowCredentialsEntryViaNonSecureChannels. */
  MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP: z.enum(["0", "1"]).default("0"),
  /** Outbound port policy, e.g. "465,995". Empty: any port. */
  MAILROOM_ALLOWED_PORTS: z.string().optional(),
  /**
   * Who may tell us the client's address and scheme (X-Forwarded-For/-Proto/-Host):
   * unset = nobody (the socket's address is the client); a number = that many
   * reverse proxies in front of us; else addresses or CIDR blocks, comma separated.
   */
  MAILROOM_TRUSTED_PROXIES: z.string().regex(/^\s*(\d+|[0-9A-Fa-f.:/,\s]*)\s*$/, "a hop count, or addresses / CIDR blocks separated by commas").optional(),
  /** A PEM file of extra certificate authorities trusted for mail servers (added to the system's). */
  MAILROOM_EXTRA_CA_FILE: z.string().optional(),
  /** Messages larger than this are stored with headers only. */
  MAILROOM_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  /** Connection and greeting timeout for mail servers. */
  MAILROOM_MAIL_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Incoming sync: TCP connect, TLS handshake and greeting each wait at most this long (capped by MAILROOM_MAIL_TIMEOUT_MS). */
  MAILROOM_GREETING_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  MAILROOM_WORKER_ID: z.string().optional(),
  /**
   * The most IMAP sessions one worker holds open for push (IDLE); workers share the
   * mailboxes that may be pushed fairly below this. 0: this worker only polls.
   */
  MAILROOM_PUSH_SESSIONS: z.coerce.number().int().min(0).default(1000),
  /**
   * Worker threads that parse fetched mail beside the storing thread (lib/mail/parse-pool.ts):
   * unset = cores − 1; 0 = parse on the storing thread.
   */
  MAILROOM_PARSE_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  /**
   * The most polled IMAP sessions one worker keeps signed in between polls (each holds a
   * connection slot of its budget; lib/sync/kept-sessions.ts). 0: every poll connects afresh.
   */
  MAILROOM_KEPT_CONNECTIONS: z.coerce.number().int().min(0).default(100),
  /** `npm run ingest`: where the app's ingest endpoint is (default http://localhost:$PORT) and the mailbox's token. */
  MAILROOM_INGEST_URL: z.string().url().optional(),
  MAILROOM_INGEST_TOKEN: z.string().optional(),
  PORT: z.coerce.number().int().positive().default(3000),
  /**
   * Web server processes sharing the port (scripts/web-server.ts): unset = one per
   * core; 1 = a single process (no cluster).
   */
  MAILROOM_WEB_PROCESSES: z.coerce.number().int().min(1).max(64).optional(),
  /** How long the monitoring dashboard's figures are shared by all readers (lib/monitoring/dashboard-cache.ts); 0 = computed per request. */
  MAILROOM_DASHBOARD_MAX_AGE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Bearer token a Prometheus scraper sends to /metrics; unset: /metrics is off (404). */
  MAILROOM_METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * The address people use to reach Mailroom (e.g. https://mail.example.com), from
   * which the OAuth 2.0 redirect URI registered with Google and Microsoft is built.
   */
  MAILROOM_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) address such as https://mailroom.example.com" })
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  /** Settings discovery: DNS servers to ask (comma separated, `host` or `host:port`); unset = the system's. */
  MAILROOM_DISCOVERY_DNS_SERVERS: z.string().optional(),
  /**
   * Tests only: fetch autoconfig documents from `<this>/<host>/<path>` instead of
   * https://<host>/<path> (a local HTTPS server); it also lets discovery reach loopback.
   */
  MAILROOM_DISCOVERY_AUTOCONFIG_BASE: z.url({ protocol: /^https$/, error: "must be an https address" }).transform((u) => u.replace(/\/+$/, "")).optional(),
  /** Tests only (the after-fetch kill test): milliseconds a sync waits between storing mail and its after-fetch action. */
  MAILROOM_TEST_AFTER_FETCH_PAUSE_MS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

/** The parsed environment (parsed on first use, then cached). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Parses an environment-like object; throws a readable error naming each bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** DATABASE_URL, or a clear error when it is missing (npm start sets it for the embedded Postgres). */
export function databaseUrl(e: Env = env()): string {
  if (!e.DATABASE_URL) throw new Error("DATABASE_URL is not set. Set it to your Postgres URL, or use `npm start`, which starts an embedded Postgres.");
  return e.DATABASE_URL;
}

/** The ports allowed by MAILROOM_ALLOWED_PORTS, or null when any port is allowed. */
export function allowedPorts(e: Env = env()): number[] | null {
  const raw = e.MAILROOM_ALLOWED_PORTS?.trim();
  if (!raw) return null;
  // Decimal digits only: Number() would read "1e3" as 1000 and "0x3e1" as 993.
  return raw.split(",").map((p) => p.trim()).filter((p) => /^\d{1,5}$/.test(p)).map(Number).filter((n) => n > 0 && n <= 65535);
}
