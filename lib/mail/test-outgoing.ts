import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { classifyMailError, type MailErrorContext } from "./errors";
import type { ConnectionTestResult, ConnectionTestSettings } from "./test-incoming";
import { mailTlsOptions } from "./tls-options";

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
    secrets: [s.password],
  };
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const options: SMTPTransport.Options & { forceAuth: boolean } = {
    host: s.host,
    port: s.port,
    secure: s.tls,
    tls: mailTlsOptions(s.host, s.ca),
    auth: { user: s.userName, pass: s.password },
    authMethod: s.authMethod === "auto" ? undefined : s.authMethod.toUpperCase(),
    forceAuth: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    // Longer than the greeting timeout, so a silent server reports "Greeting never received".
    socketTimeout: timeoutMs + 1_000,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
  const transport = nodemailer.createTransport(options);
  try {
    await transport.verify();
    const channel = s.tls ? "TLS" : "STARTTLS when offered";
    return { ok: true, detail: `Connected to SMTP ${s.host}:${s.port} (${channel}), EHLO and authentication accepted; no mail sent.` };
  } catch (err) {
    return { ok: false, error: classifyMailError(err, ctx) };
  } finally {
    transport.close();
  }
}
