import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import { isOAuth, type MailAuth } from "../credentials/mail-auth";
import type { ExtraCa } from "./tls-options";
import { mailTlsOptions } from "./tls-options";

/** How to reach one SMTP submission server; the password is used for the session only and never logged. */
export type SmtpSettings = {
  host: string;
  port: number;
  /** Implicit TLS ("Use SSL", port 465); false = STARTTLS (port 587), required unless `allowUnencrypted`. */
  tls: boolean;
  /** The profile's "allow unencrypted connections (not recommended)": STARTTLS only when offered. */
  allowUnencrypted?: boolean;
  authMethod: "auto" | "plain" | "login" | "cram-md5" | "xoauth2";
  /** A password, or an OAuth access token (SASL XOAUTH2). */
  auth: MailAuth;
  /** Extra CA(s) trusted besides the system roots (MAILROOM_EXTRA_CA_FILE). */
  ca?: ExtraCa;
  /** Budget for each phase (connect, greeting, each reply). */
  timeoutMs: number;
};

/** A pool: up to `maxConnections` sessions kept open and reused for many messages. */
export type SmtpPoolOptions = { maxConnections: number };

/**
 * A nodemailer transport for `s`, configured one way for every caller (the
 * outgoing connection test and the outbox): certificate checks on, TLS 1.2+, the
 * chosen authentication protocol, authentication attempted even when AUTH is not
 * announced (so a port without it fails instead of sending unauthenticated), and
 * timeouts on every phase. With `pool`, sessions are reused across messages.
 */
export function createSmtpTransport(s: SmtpSettings, pool?: SmtpPoolOptions) {
  const common = {
    host: s.host,
    port: s.port,
    secure: s.tls,
    // STARTTLS is sent even when EHLO does not announce it, and a refusal fails the session before AUTH.
    requireTLS: !s.tls && !s.allowUnencrypted,
    tls: mailTlsOptions(s.host, s.ca),
    // With only an access token nodemailer cannot refresh it: a refusal fails the send (EAUTH), classified as such.
    auth: isOAuth(s.auth) ? { type: "OAuth2" as const, user: s.auth.user, accessToken: s.auth.accessToken } : { user: s.auth.user, pass: s.auth.pass },
    authMethod: isOAuth(s.auth) ? "XOAUTH2" : s.authMethod === "auto" ? undefined : s.authMethod.toUpperCase(),
    forceAuth: true,
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    // Longer than the greeting timeout, so a silent server reports "Greeting never received".
    socketTimeout: s.timeoutMs + 1_000,
    dnsTimeout: s.timeoutMs,
    logger: false,
    debug: false,
  };
  if (pool) {
    const options: SMTPPool.Options & { forceAuth: boolean } = { ...common, pool: true, maxConnections: Math.max(1, pool.maxConnections), maxMessages: Infinity };
    return nodemailer.createTransport(options);
  }
  const options: SMTPTransport.Options & { forceAuth: boolean } = common;
  return nodemailer.createTransport(options);
}
