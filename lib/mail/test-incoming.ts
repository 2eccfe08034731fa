import { isOAuth, secretOf, type MailAuth } from "../credentials/mail-auth";
import { connectImap } from "./connect-imap";
import { connectPop3Session } from "./connect-pop3-session";
import { classifyMailError, type ClassifiedError, type MailErrorContext } from "./errors";
import { msg } from "../i18n/message";

export type MailAuthMethod = "auto" | "plain" | "login" | "cram-md5";

/** What a connection test needs; the password or token is used for this test only and never returned or logged. */
export type ConnectionTestSettings = {
  host: string;
  port: number;
  /** Implicit TLS ("Use SSL"); false = STARTTLS (required unless `allowUnencrypted`). */
  tls: boolean;
  /** The profile's "allow unencrypted connections": without it, STARTTLS/STLS is required. */
  allowUnencrypted?: boolean;
  authMethod: MailAuthMethod;
  /** A password, or an OAuth access token. */
  auth: MailAuth;
  /** Extra CA(s) to trust besides the system roots (PEM), e.g. MAILROOM_EXTRA_CA_FILE's contents. */
  ca?: string | Buffer;
  /** Budget for each phase (connect, greeting, each reply). Default 30 000 ms. */
  timeoutMs?: number;
  /** Budget for connecting and the greeting, when shorter (MAILROOM_GREETING_TIMEOUT_MS): a server that accepts and never answers fails fast. */
  greetingTimeoutMs?: number;
  /** Where the credentials come from, so a failure points at the right form. Default "mailbox". */
  credentialsFrom?: "mailbox" | "profile";
};

export type IncomingTestSettings = ConnectionTestSettings & { protocol: "imap" | "pop3" };

export type ConnectionTestResult = { ok: true; detail: string } | { ok: false; error: ClassifiedError };

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
    secrets: [secretOf(s.auth)],
    oauth: isOAuth(s.auth),
  };
  if (s.protocol === "imap" && s.authMethod === "cram-md5" && !isOAuth(s.auth)) {
    return {
      ok: false,
      error: {
        kind: "permanent",
        code: "protocol_not_offered",
        field: "incomingAuthMethod",
        form: "profile",
        message: msg("mailError.cramMd5Imap", { authFieldKey: "profiles.field.incomingAuthMethod" }),
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
  const client = await connectImap(s);
  try {
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
  const client = await connectPop3Session(s);
  try {
    const { count, size } = await client.stat();
    const channel = s.tls ? "TLS" : client.secure ? "STLS" : "an unencrypted connection (the server offers no STLS)";
    await client.quit();
    return `Signed in to POP3 ${s.host}:${s.port} over ${channel}; STAT: ${count} message(s), ${size} bytes.`;
  } finally {
    client.close();
  }
}
