import { ImapFlow } from "imapflow";
import { classifyMailError, type ClassifiedError, type MailErrorContext } from "./errors";
import { connectPop3, type Pop3Client, type Pop3SaslMechanism } from "./pop3";
import { mailTlsOptions } from "./tls-options";

export type MailAuthMethod = "auto" | "plain" | "login" | "cram-md5";

/** What a connection test needs; the password is used for this test only and never returned or logged. */
export type ConnectionTestSettings = {
  host: string;
  port: number;
  /** Implicit TLS ("Use SSL"); false = STARTTLS when the server offers it. */
  tls: boolean;
  authMethod: MailAuthMethod;
  userName: string;
  password: string;
  /** Extra CA(s) to trust besides the system roots (PEM), e.g. MAILROOM_EXTRA_CA_FILE's contents. */
  ca?: string | Buffer;
  /** Budget for each phase (connect, greeting, each reply). Default 30 000 ms. */
  timeoutMs?: number;
  /** Where the credentials come from, so a failure points at the right form. Default "mailbox". */
  credentialsFrom?: "mailbox" | "profile";
};

export type IncomingTestSettings = ConnectionTestSettings & { protocol: "imap" | "pop3" };

export type ConnectionTestResult = { ok: true; detail: string } | { ok: false; error: ClassifiedError };

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Tests incoming access as the worker will use it: connect, TLS (implicit, or
 * STARTTLS/STLS when offered), authenticate, then open INBOX read-only (IMAP) or
 * STAT (POP3). Changes nothing on the server. Failures come back classified.
 */
export async function testIncomingConnection(s: IncomingTestSettings): Promise<ConnectionTestResult> {
  const ctx: MailErrorContext = {
    direction: "incoming",
    protocol: s.protocol,
    host: s.host,
    port: s.port,
    tls: s.tls,
    credentialsFrom: s.credentialsFrom ?? "mailbox",
    secrets: [s.password],
  };
  if (s.protocol === "imap" && s.authMethod === "cram-md5") {
    return {
      ok: false,
      error: {
        kind: "permanent",
        code: "protocol_not_offered",
        field: "incomingAuthMethod",
        form: "profile",
        message: "CRAM-MD5 is not available for IMAP — set the incoming authentication protocol to 'Automatic', PLAIN or LOGIN.",
        detail: `IMAP ${s.host}:${s.port}: the IMAP library offers PLAIN and LOGIN only`,
      },
    };
  }
  try {
    const detail = s.protocol === "imap" ? await testImap(s) : await testPop3(s);
    return { ok: true, detail };
  } catch (err) {
    return { ok: false, error: classifyMailError(err, ctx) };
  }
}

async function testImap(s: IncomingTestSettings): Promise<string> {
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const loginMethod = s.authMethod === "plain" ? "AUTH=PLAIN" : s.authMethod === "login" ? "AUTH=LOGIN" : undefined;
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: s.tls,
    tls: mailTlsOptions(s.host, s.ca),
    auth: { user: s.userName, pass: s.password, loginMethod },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    // Longer than the greeting timeout, so a silent server reports GREETING_TIMEOUT, not a bare socket timeout.
    socketTimeout: timeoutMs + 1_000,
    disableAutoIdle: true,
  });
  // Errors also reject connect(); without a listener an 'error' event would crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
    const inbox = await client.mailboxOpen("INBOX", { readOnly: true });
    const channel = s.tls ? "TLS" : client.secureConnection ? "STARTTLS" : "an unencrypted connection (the server offers no STARTTLS)";
    const detail = `Signed in to IMAP ${s.host}:${s.port} over ${channel}; INBOX opened read-only: ${inbox.exists} message(s), UIDVALIDITY ${inbox.uidValidity}.`;
    await client.logout();
    return detail;
  } finally {
    client.close();
  }
}

async function testPop3(s: IncomingTestSettings): Promise<string> {
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client: Pop3Client | undefined;
  try {
    client = await connectPop3({ host: s.host, port: s.port, tls: s.tls ? "implicit" : "none", ca: s.ca, timeoutMs });
    let capa = await client.capa();
    if (!s.tls && capa.has("STLS")) {
      await client.stls();
      capa = await client.capa(); // RFC 2595: capabilities may change after STLS
    }
    if (s.authMethod === "auto") {
      const sasl = capa.get("SASL") ?? [];
      if (capa.size === 0 || capa.has("USER")) await client.login(s.userName, s.password);
      else await client.authenticate(sasl.includes("CRAM-MD5") ? "CRAM-MD5" : sasl.includes("PLAIN") ? "PLAIN" : "LOGIN", s.userName, s.password);
    } else {
      await client.authenticate(s.authMethod.toUpperCase() as Pop3SaslMechanism, s.userName, s.password);
    }
    const { count, size } = await client.stat();
    const channel = s.tls ? "TLS" : client.secure ? "STLS" : "an unencrypted connection (the server offers no STLS)";
    await client.quit();
    return `Signed in to POP3 ${s.host}:${s.port} over ${channel}; STAT: ${count} message(s), ${size} bytes.`;
  } finally {
    client?.close();
  }
}
