import { ImapFlow } from "imapflow";
import { isOAuth, type MailAuth } from "../credentials/mail-auth";
import { assertPortAllowed } from "./port-policy";
import { mailTlsOptions } from "./tls-options";

/** How to reach and sign in to an incoming server. The password or token is used for this session only; never log it. */
export type IncomingSessionSettings = {
  host: string;
  port: number;
  /** Implicit TLS ("Use SSL"); false = STARTTLS/STLS, required unless `allowUnencrypted`. */
  tls: boolean;
  /**
   * The profile's "allow unencrypted connections (not recommended)": without implicit
   * TLS, sign in over a plain connection when the server offers no STARTTLS. Off (the
   * default), a server or a man in the middle that drops STARTTLS gets no credentials.
   */
  allowUnencrypted?: boolean;
  authMethod: "auto" | "plain" | "login" | "cram-md5" | "xoauth2";
  /** A password, or an OAuth access token (XOAUTH2/OAUTHBEARER; authMethod is then ignored). */
  auth: MailAuth;
  /** Extra CA(s) to trust besides the system roots (PEM). */
  ca?: string | Buffer;
  /** Budget for each phase (connect, greeting, each reply). Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * A session held open for push (IDLE): quiet for minutes by design, so the socket's
   * inactivity timeout only probes the server (imapflow sends NOOP while idling) after
   * HELD_SOCKET_TIMEOUT_MS, longer than servers' "still here" interval (Dovecot: 2 min),
   * and an IDLE is re-issued every MAX_IDLE_MS (RFC 2177: before 29 minutes).
   */
  held?: boolean;
  /** Budget for connecting (TCP and TLS) and for the greeting, when shorter than `timeoutMs`. Default `timeoutMs`. */
  greetingTimeoutMs?: number;
};

const HELD_SOCKET_TIMEOUT_MS = 3 * 60_000;
const MAX_IDLE_MS = 25 * 60_000;

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Opens a signed-in IMAP session (imapflow) with a timeout on every phase: TCP
 * connect, greeting, and any later silence on the socket. Errors are imapflow's,
 * for classifyMailError. The caller logs out / closes it.
 */
export async function connectImap(s: IncomingSessionSettings): Promise<ImapFlow> {
  assertPortAllowed(s.port);
  if (s.authMethod === "cram-md5" && !isOAuth(s.auth)) {
    // Worded so classifyMailError sees "not supported for IMAP": a setting to change, not a retry.
    throw new Error("CRAM-MD5 is not supported for IMAP by the IMAP library (it offers PLAIN and LOGIN)");
  }
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const greetingMs = Math.min(s.greetingTimeoutMs ?? timeoutMs, timeoutMs);
  const loginMethod = s.authMethod === "plain" ? "AUTH=PLAIN" : s.authMethod === "login" ? "AUTH=LOGIN" : undefined;
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: s.tls,
    // true: STARTTLS or no sign-in (the error carries tlsFailed); undefined: STARTTLS when offered.
    doSTARTTLS: s.tls || s.allowUnencrypted ? undefined : true,
    tls: mailTlsOptions(s.host, s.ca),
    // imapflow signs in with OAUTHBEARER when offered, else XOAUTH2, given an access token.
    auth: isOAuth(s.auth) ? { user: s.auth.user, accessToken: s.auth.accessToken } : { user: s.auth.user, pass: s.auth.pass, loginMethod },
    logger: false,
    connectionTimeout: greetingMs,
    greetingTimeout: greetingMs,
    // Longer than the greeting timeout, so a silent server reports GREETING_TIMEOUT, not a bare socket timeout.
    socketTimeout: s.held ? Math.max(HELD_SOCKET_TIMEOUT_MS, timeoutMs + 1_000) : timeoutMs + 1_000,
    disableAutoIdle: true,
    ...(s.held ? { maxIdleTime: MAX_IDLE_MS } : {}),
  });
  // Errors also reject connect() and commands; without a listener an 'error' event would crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

