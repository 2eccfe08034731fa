import tls from "node:tls";
import { ImapFlow } from "imapflow";
import { mailTlsOptions } from "./tls-options";

/** How to reach and sign in to an incoming server. The password is used for this session only; never log it. */
export type IncomingSessionSettings = {
  host: string;
  port: number;
  /** Implicit TLS ("Use SSL"); false = STARTTLS/STLS when the server offers it. */
  tls: boolean;
  authMethod: "auto" | "plain" | "login" | "cram-md5" | "xoauth2";
  userName: string;
  password: string;
  /** Extra CA(s) to trust besides the system roots (PEM). */
  ca?: string | Buffer;
  /** Budget for each phase (connect, greeting, each reply). Default 30 000 ms. */
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Opens a signed-in IMAP session (imapflow) with a timeout on every phase: TCP
 * connect, greeting, and any later silence on the socket. Errors are imapflow's,
 * for classifyMailError. The caller logs out / closes it.
 */
export async function connectImap(s: IncomingSessionSettings): Promise<ImapFlow> {
  if (s.authMethod === "cram-md5") {
    // Worded so classifyMailError sees "not supported for IMAP": a setting to change, not a retry.
    throw new Error("CRAM-MD5 is not supported for IMAP by the IMAP library (it offers PLAIN and LOGIN)");
  }
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const loginMethod = s.authMethod === "plain" ? "AUTH=PLAIN" : s.authMethod === "login" ? "AUTH=LOGIN" : undefined;
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: s.tls,
    tls: withSharedContext(mailTlsOptions(s.host, s.ca), s.ca),
    auth: { user: s.userName, pass: s.password, loginMethod },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    // Longer than the greeting timeout, so a silent server reports GREETING_TIMEOUT, not a bare socket timeout.
    socketTimeout: timeoutMs + 1_000,
    disableAutoIdle: true,
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

/** Secure contexts by their CA list and minimum version; bounded (a handful of distinct CAs in practice). */
const contexts = new Map<string, tls.SecureContext>();
const MAX_CONTEXTS = 64;

/**
 * The same options with the CA list turned into a shared secure context. Given `ca`, Node
 * builds a new context per connection and parses every system root again (~140
 * certificates, about 18 ms of CPU a connection here, the largest cost of a sync that
 * finds little mail); one context per CA list does that once. Certificate checks are
 * unchanged: the context trusts exactly the `ca` list, the connection still verifies
 * the host name and rejects unauthorized peers.
 */
function withSharedContext(options: tls.ConnectionOptions, extra: string | Buffer | undefined): tls.ConnectionOptions {
  if (!options.ca || extra === undefined) return options;
  const { ca, minVersion, ...rest } = options;
  // The list is the system roots (fixed for the process) plus `extra`, so `extra` identifies it.
  const key = `${minVersion ?? ""}\n${extra.toString()}`;
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= MAX_CONTEXTS) contexts.clear();
    context = tls.createSecureContext({ ca, minVersion });
    contexts.set(key, context);
  }
  return { ...rest, secureContext: context };
}
