import { createSmtpTransport } from "./create-smtp-transport";
import { assertPortAllowed } from "./port-policy";
import { classifyMailError, type MailErrorContext } from "./errors";
import { isOAuth, secretOf } from "../credentials/mail-auth";
import { type ConnectionTestResult, type ConnectionTestSettings } from "./test-incoming";

export type OutgoingTestSettings = ConnectionTestSettings & {
  /** For profile credentials: whether the profile has its own outgoing user name and password. */
  outgoingCredentials?: "same" | "separate";
};

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Tests outgoing access: connect, TLS (implicit, or STARTTLS when offered), EHLO,
 * authenticate. No mail is sent. Authentication is attempted even when the
 * server does not announce AUTH, so a port without it fails instead of passing
 * untested. Failures come back classified.
 */
export async function testOutgoingConnection(s: OutgoingTestSettings): Promise<ConnectionTestResult> {
  const ctx: MailErrorContext = {
    direction: "outgoing",
    protocol: "smtp",
    host: s.host,
    port: s.port,
    tls: s.tls,
    credentialsFrom: s.credentialsFrom ?? "mailbox",
    outgoingCredentials: s.outgoingCredentials,
    secrets: [secretOf(s.auth)],
    oauth: isOAuth(s.auth),
  };
  try {
    assertPortAllowed(s.port);
  } catch (err) {
    return { ok: false, error: classifyMailError(err, ctx) };
  }
  const transport = createSmtpTransport({
    host: s.host,
    port: s.port,
    tls: s.tls,
    allowUnencrypted: s.allowUnencrypted,
    authMethod: s.authMethod,
    auth: s.auth,
    ca: s.ca,
    timeoutMs: s.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  try {
    await transport.verify();
    const channel = s.tls ? "TLS" : s.allowUnencrypted ? "STARTTLS when offered" : "STARTTLS";
    return { ok: true, detail: `Connected to SMTP ${s.host}:${s.port} (${channel}), EHLO and authentication accepted; no mail sent.` };
  } catch (err) {
    return { ok: false, error: classifyMailError(err, ctx) };
  } finally {
    transport.close();
  }
}
