import { describe, expect, test } from "vitest";
import { classifyMailError, type MailErrorContext } from "../../../lib/mail/errors";
import { Pop3Error } from "../../../lib/mail/pop3";
import { renderMessage } from "../../../lib/i18n/message";
import { translator } from "../../../lib/i18n/translate";
import { english } from "../../harness/english";

// Error shapes copied from the libraries' sources (node_modules/imapflow/dist/esm,
// node_modules/nodemailer/lib/smtp-connection/index.js) and from Node itself.

/** A Node socket/DNS/TLS error. */
function nodeError(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}
const refused = () => nodeError("connect ECONNREFUSED 127.0.0.1:993", { errno: -111, code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1", port: 993 });
const notFound = () => nodeError("getaddrinfo ENOTFOUND imap.example.invalid", { errno: -3008, code: "ENOTFOUND", syscall: "getaddrinfo", hostname: "imap.example.invalid" });
const dnsAgain = () => nodeError("getaddrinfo EAI_AGAIN imap.example.com", { errno: -3001, code: "EAI_AGAIN", syscall: "getaddrinfo", hostname: "imap.example.com" });
const wrongVersion = () =>
  nodeError("80CCE19E437F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n", {
    library: "SSL routines",
    reason: "wrong version number",
    code: "ERR_SSL_WRONG_VERSION_NUMBER",
  });
const certError = (code: string, message: string) => nodeError(message, { code });

/** nodemailer's SMTPConnection#_formatError. */
function smtpError(message: string | Error, type: string, response?: string, command?: string): Error {
  const err = typeof message === "string" ? new Error(message) : message;
  const e = err as Error & Record<string, unknown>;
  e.code = type;
  if (response) {
    e.response = response;
    err.message += ": " + response;
    const code = Number(/^\d+/.exec(response)?.[0]);
    if (code) e.responseCode = code;
  }
  if (command) e.command = command;
  return err;
}

/** imapflow's LOGIN/AUTHENTICATE failure (commands/login.js). */
function imapAuthError(code: string | undefined, text: string): Error {
  return Object.assign(new Error("Command failed"), {
    response: `2 NO ${code ? `[${code}] ` : ""}${text}`,
    responseStatus: "NO",
    responseText: text,
    executedCommand: '2 LOGIN "alice" "(* value hidden *)"',
    ...(code ? { serverResponseCode: code } : {}),
    authenticationFailed: true,
  });
}
const imapError = (message: string, code: string, props: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...props });

const imap: MailErrorContext = { direction: "incoming", protocol: "imap", host: "imap.example.com", port: 993, tls: true, credentialsFrom: "mailbox" };
const imapPlain: MailErrorContext = { ...imap, port: 143, tls: false };
const pop3: MailErrorContext = { ...imap, protocol: "pop3", host: "pop.example.com", port: 995 };
const smtp: MailErrorContext = { direction: "outgoing", protocol: "smtp", host: "smtp.example.com", port: 587, tls: false, credentialsFrom: "profile" };
const smtps: MailErrorContext = { ...smtp, port: 465, tls: true };

type Case = [string, () => unknown, MailErrorContext, { kind: string; code: string; field: string | null }];
const cases: Case[] = [
  // authentication
  ["imapflow LOGIN refused", () => imapAuthError("AUTHENTICATIONFAILED", "Authentication failed."), imap, { kind: "permanent", code: "auth_failed", field: "userName" }],
  ["imapflow LOGIN refused without a code", () => imapAuthError(undefined, "Invalid credentials"), imap, { kind: "permanent", code: "auth_failed", field: "userName" }],
  ["imapflow LOGIN refused [UNAVAILABLE]", () => imapAuthError("UNAVAILABLE", "Auth backend down"), imap, { kind: "transient", code: "server_unavailable", field: null }],
  ["imapflow LOGIN refused [PRIVACYREQUIRED]", () => imapAuthError("PRIVACYREQUIRED", "Plaintext authentication disallowed on non-secure (SSL/TLS) connections."), imapPlain, { kind: "permanent", code: "auth_failed", field: "incomingTls" }],
  ["imapflow LOGINDISABLED", () => Object.assign(new Error("Login is disabled"), { authenticationFailed: true }), imapPlain, { kind: "permanent", code: "auth_failed", field: "incomingTls" }],
  ["imapflow no mechanism", () => new Error("Unsupported authentication mechanism"), imap, { kind: "permanent", code: "protocol_not_offered", field: "incomingAuthMethod" }],
  ["imapflow too many connections BYE", () => imapError("Unexpected close", "ClosedAfterConnectTLS", { reason: "Too many simultaneous connections. (Failure)" }), imap, { kind: "transient", code: "too_many_connections", field: "maxConnections" }],
  ["dovecot per-user connection limit", () => imapAuthError(undefined, "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)"), imap, { kind: "transient", code: "too_many_connections", field: "maxConnections" }],
  ["nodemailer EAUTH 535", () => smtpError("Invalid login", "EAUTH", "535 5.7.8 Error: authentication failed: bad password", "AUTH PLAIN"), smtp, { kind: "permanent", code: "auth_failed", field: "userName" }],
  ["nodemailer EAUTH 454 (temporary)", () => smtpError("Invalid login", "EAUTH", "454 4.7.0 Temporary authentication failure", "AUTH PLAIN"), smtp, { kind: "transient", code: "temporary_failure", field: null }],
  ["nodemailer EAUTH 504 mechanism", () => smtpError("Invalid login", "EAUTH", "504 5.5.4 Unrecognized authentication type", "AUTH CRAM-MD5"), smtp, { kind: "permanent", code: "protocol_not_offered", field: "outgoingAuthMethod" }],
  ["nodemailer AUTH on a port without AUTH", () => smtpError("Invalid login", "EAUTH", "503 5.5.1 Error: authentication not enabled", "AUTH PLAIN"), smtp, { kind: "permanent", code: "protocol_not_offered", field: "outgoingPort" }],
  ["nodemailer missing credentials", () => smtpError('Missing credentials for "PLAIN"', "EAUTH", undefined, "API"), smtp, { kind: "permanent", code: "auth_failed", field: "userName" }],
  ["nodemailer separate outgoing credentials", () => smtpError("Invalid login", "EAUTH", "535 5.7.8 bad", "AUTH LOGIN"), { ...smtp, outgoingCredentials: "separate" }, { kind: "permanent", code: "auth_failed", field: "outgoingUserName" }],
  ["POP3 -ERR [AUTH]", () => new Pop3Error("x refused PASS: [AUTH] Authentication failed.", { code: "POP3_ERR", command: "PASS", responseCode: "AUTH", response: "Authentication failed.", authenticationFailed: true }), pop3, { kind: "permanent", code: "auth_failed", field: "userName" }],
  ["POP3 -ERR [IN-USE]", () => new Pop3Error("x", { code: "POP3_ERR", command: "PASS", responseCode: "IN-USE", response: "Mailbox locked" }), pop3, { kind: "transient", code: "too_many_connections", field: "maxConnections" }],
  ["POP3 -ERR [SYS/TEMP]", () => new Pop3Error("x", { code: "POP3_ERR", command: "PASS", responseCode: "SYS/TEMP", response: "Try later" }), pop3, { kind: "transient", code: "server_unavailable", field: null }],
  ["POP3 -ERR [LOGIN-DELAY]", () => new Pop3Error("x", { code: "POP3_ERR", command: "PASS", responseCode: "LOGIN-DELAY", response: "Wait" }), pop3, { kind: "transient", code: "temporary_failure", field: null }],
  ["POP3 -ERR [SYS/PERM]", () => new Pop3Error("x", { code: "POP3_ERR", command: "PASS", responseCode: "SYS/PERM", response: "Broken" }), pop3, { kind: "permanent", code: "server_unavailable", field: null }],
  ["POP3 -ERR greeting", () => new Pop3Error("x", { code: "POP3_ERR", command: "greeting", response: "Server busy" }), pop3, { kind: "transient", code: "server_unavailable", field: null }],
  ["POP3 STLS refused", () => new Pop3Error("x", { code: "POP3_ERR", command: "STLS", response: "not available" }), { ...pop3, tls: false, port: 110 }, { kind: "permanent", code: "protocol_not_offered", field: "incomingTls" }],
  ["POP3 unsupported SASL", () => new Pop3Error("x refused AUTH: Unsupported authentication mechanism.", { code: "POP3_ERR", command: "AUTH", response: "Unsupported authentication mechanism.", authenticationFailed: true }), pop3, { kind: "permanent", code: "protocol_not_offered", field: "incomingAuthMethod" }],
  // connecting
  ["ECONNREFUSED (imapflow passes it through)", refused, imap, { kind: "transient", code: "connect_refused", field: "incomingPort" }],
  ["ECONNREFUSED (nodemailer ESOCKET)", () => smtpError(refused(), "ESOCKET", undefined, "CONN"), smtp, { kind: "transient", code: "connect_refused", field: "outgoingPort" }],
  ["ECONNREFUSED (Pop3Error)", () => new Pop3Error("connect ECONNREFUSED 127.0.0.1:995", { code: "ECONNREFUSED", command: "connect", cause: refused() }), pop3, { kind: "transient", code: "connect_refused", field: "incomingPort" }],
  ["port out of range", () => nodeError('Port should be >= 0 and < 65536. Received type number (70000).', { code: "ERR_SOCKET_BAD_PORT" }), imap, { kind: "permanent", code: "connect_refused", field: "incomingPort" }],
  ["ENOTFOUND", notFound, imap, { kind: "permanent", code: "host_not_found", field: "incomingHost" }],
  ["ENOTFOUND (nodemailer EDNS)", () => smtpError(notFound(), "EDNS", undefined, "CONN"), smtp, { kind: "permanent", code: "host_not_found", field: "outgoingHost" }],
  ["ENOTFOUND for a host with 'timeout' in its name", () => nodeError("getaddrinfo ENOTFOUND timeout.example.invalid", { code: "ENOTFOUND" }), imap, { kind: "permanent", code: "host_not_found", field: "incomingHost" }],
  ["a timeout known only from its words", () => new Error("Operation timed out"), imap, { kind: "transient", code: "timeout", field: "incomingHost" }],
  ["EAI_AGAIN", dnsAgain, imap, { kind: "transient", code: "host_not_found", field: "incomingHost" }],
  ["EAI_AGAIN (nodemailer EDNS)", () => smtpError(dnsAgain(), "EDNS", undefined, "CONN"), smtp, { kind: "transient", code: "host_not_found", field: "outgoingHost" }],
  ["EHOSTUNREACH", () => nodeError("connect EHOSTUNREACH 10.0.0.9:993", { code: "EHOSTUNREACH", syscall: "connect" }), imap, { kind: "transient", code: "connect_refused", field: "incomingHost" }],
  ["ECONNRESET", () => nodeError("read ECONNRESET", { code: "ECONNRESET", syscall: "read" }), imap, { kind: "transient", code: "temporary_failure", field: null }],
  ["nodemailer ECONNECTION closed", () => smtpError(new Error("Connection closed unexpectedly"), "ECONNECTION", undefined, "CONN"), smtp, { kind: "transient", code: "server_unavailable", field: null }],
  ["nodemailer 421 on EHLO", () => smtpError(new Error("Server terminates connection. response=421 busy"), "ECONNECTION", "421 4.3.2 Service not available", "EHLO"), smtp, { kind: "transient", code: "server_unavailable", field: null }],
  ["nodemailer 421 too many connections", () => smtpError(new Error("Connection closed unexpectedly"), "ECONNECTION", "421 4.7.0 Too many connections from your IP", "CONN"), smtp, { kind: "transient", code: "too_many_connections", field: "maxConnections" }],
  ["imapflow NoConnection", () => imapError("Connection not available", "NoConnection"), imap, { kind: "transient", code: "server_unavailable", field: null }],
  ["Pop3Error ECONNCLOSED", () => new Pop3Error("pop closed the connection during RETR", { code: "ECONNCLOSED", command: "RETR" }), pop3, { kind: "transient", code: "server_unavailable", field: null }],
  // timeouts
  ["imapflow CONNECT_TIMEOUT", () => imapError("Failed to establish connection in required time", "CONNECT_TIMEOUT", { details: { connectionTimeout: 1500 } }), imap, { kind: "transient", code: "timeout", field: "incomingHost" }],
  ["imapflow GREETING_TIMEOUT on a plain connection", () => imapError("Failed to receive greeting from server in required time. Maybe should use TLS?", "GREETING_TIMEOUT"), imapPlain, { kind: "transient", code: "timeout", field: "incomingTls" }],
  ["imapflow socket ETIMEOUT", () => imapError("Socket timeout", "ETIMEOUT"), imap, { kind: "transient", code: "timeout", field: "incomingHost" }],
  ["OS connect ETIMEDOUT", () => nodeError("connect ETIMEDOUT 10.1.1.1:993", { code: "ETIMEDOUT", syscall: "connect" }), imap, { kind: "transient", code: "timeout", field: "incomingHost" }],
  ["nodemailer greeting never received", () => smtpError("Greeting never received", "ETIMEDOUT", undefined, "CONN"), smtp, { kind: "transient", code: "timeout", field: "outgoingTls" }],
  ["nodemailer connection timeout", () => smtpError("Connection timeout", "ETIMEDOUT", undefined, "CONN"), smtps, { kind: "transient", code: "timeout", field: "outgoingHost" }],
  ["Pop3Error no greeting", () => new Pop3Error("No POP3 greeting from x within 1500 ms", { code: "ETIMEDOUT", command: "greeting" }), { ...pop3, tls: false }, { kind: "transient", code: "timeout", field: "incomingTls" }],
  // TLS
  ["TLS to a plain port (imapflow)", wrongVersion, imap, { kind: "permanent", code: "tls_handshake_failed", field: "incomingTls" }],
  ["TLS to a plain port (nodemailer ESOCKET)", () => smtpError(wrongVersion(), "ESOCKET", undefined, "CONN"), smtps, { kind: "permanent", code: "tls_handshake_failed", field: "outgoingTls" }],
  ["EPROTO packet length too long", () => nodeError("write EPROTO 0A0000C6:SSL routines::packet length too long", { code: "EPROTO", syscall: "write" }), imap, { kind: "permanent", code: "tls_handshake_failed", field: "incomingTls" }],
  ["TLS alert", () => nodeError("C0:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure", { code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" }), imap, { kind: "permanent", code: "tls_handshake_failed", field: "incomingTls" }],
  ["hang-up during the TLS handshake", () => nodeError("Client network socket disconnected before secure TLS connection was established", { code: "ECONNRESET" }), imap, { kind: "transient", code: "tls_handshake_failed", field: "incomingTls" }],
  ["nodemailer STARTTLS refused", () => smtpError(new Error("Error upgrading connection with STARTTLS"), "ETLS", "454 4.7.0 TLS not available", "STARTTLS"), smtp, { kind: "permanent", code: "protocol_not_offered", field: "outgoingTls" }],
  ["imapflow STARTTLS required, not offered", () => Object.assign(new Error("Server does not support STARTTLS"), { tlsFailed: true }), imapPlain, { kind: "permanent", code: "protocol_not_offered", field: "incomingTls" }],
  ["nodemailer STARTTLS upgrade failed", () => smtpError(new Error("Error initiating TLS - Client network socket disconnected before secure TLS connection was established"), "ETLS", undefined, "STARTTLS"), smtp, { kind: "transient", code: "tls_handshake_failed", field: "outgoingTls" }],
  ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", () => certError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"), imap, { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
  ["DEPTH_ZERO_SELF_SIGNED_CERT", () => certError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), imap, { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
  ["SELF_SIGNED_CERT_IN_CHAIN", () => certError("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"), imap, { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
  ["CERT_HAS_EXPIRED", () => certError("CERT_HAS_EXPIRED", "certificate has expired"), imap, { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
  ["ERR_TLS_CERT_ALTNAME_INVALID", () => certError("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: Host: imap.example.com. is not in the cert's altnames: DNS:mail.example.net"), imap, { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
  ["self-signed (nodemailer ESOCKET keeps only the message)", () => smtpError(certError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), "ESOCKET", undefined, "CONN"), smtps, { kind: "permanent", code: "cert_untrusted", field: "outgoingHost" }],
  ["untrusted after STARTTLS (nodemailer ETLS wraps the message)", () => smtpError(new Error("Error initiating TLS - unable to verify the first certificate"), "ETLS", undefined, "STARTTLS"), smtp, { kind: "permanent", code: "cert_untrusted", field: "outgoingHost" }],
  ["certificate error inside Pop3Error", () => new Pop3Error("certificate has expired", { code: "CERT_HAS_EXPIRED", command: "STLS" }), pop3, { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
  // server answers
  ["imapflow mailbox missing", () => imapError("Command failed", "NotFound", { mailboxMissing: true, serverResponseCode: "NONEXISTENT", responseText: "Mailbox doesn't exist: INBOX" }), imap, { kind: "permanent", code: "mailbox_missing", field: null }],
  ["nodemailer 550 on RCPT", () => smtpError("Can't send mail - all recipients were rejected", "EENVELOPE", "550 5.1.1 <x@example.com>: Recipient address rejected", "RCPT TO"), smtp, { kind: "permanent", code: "message_rejected", field: null }],
  ["nodemailer 552 on DATA", () => smtpError("Message failed", "EMESSAGE", "552 5.3.4 Message too big", "DATA"), smtp, { kind: "permanent", code: "message_rejected", field: null }],
  ["nodemailer 451 on DATA", () => smtpError("Message failed", "EMESSAGE", "451 4.3.0 Try again later", "DATA"), smtp, { kind: "transient", code: "temporary_failure", field: null }],
  ["nodemailer 554 greeting", () => smtpError(new Error("Invalid greeting. response=554 No SMTP service here"), "EPROTOCOL", "554 No SMTP service here", "CONN"), smtp, { kind: "permanent", code: "server_unavailable", field: "outgoingHost" }],
  ["nodemailer not SMTP on that port", () => smtpError(new Error("Invalid greeting. response=* OK IMAP4rev1 ready"), "EPROTOCOL", "* OK IMAP4rev1 ready", "CONN"), smtp, { kind: "permanent", code: "protocol_not_offered", field: "outgoingPort" }],
  ["Pop3Error not POP3 on that port", () => new Pop3Error("Unexpected reply from x to greeting: * OK IMAP ready", { code: "EPROTOCOL", command: "greeting" }), pop3, { kind: "permanent", code: "protocol_not_offered", field: "incomingPort" }],
  ["something else", () => new Error("kaboom"), imap, { kind: "transient", code: "unknown", field: null }],
  ["not even an Error", () => "a string", imap, { kind: "transient", code: "unknown", field: null }],
];

describe("classifyMailError", () => {
  test.each(cases)("%s", (_name, make, ctx, expected) => {
    const result = classifyMailError(make(), ctx);
    expect({ kind: result.kind, code: result.code, field: result.field }).toEqual(expected);
    // A catalogue key with its parameters; English and Japanese both render it whole.
    expect(english(result.message).length).toBeGreaterThan(20);
    expect(translator("ja")(result.message.key)).not.toBe(result.message.key);
    expect(renderMessage(translator("ja"), result.message)).not.toMatch(/\{\w+\}/);
    expect(result.detail).toContain(`${ctx.host}:${ctx.port}`);
  });

  test("messages say what happened, which field and what to do", () => {
    const say = (err: unknown, ctx: MailErrorContext) => english(classifyMailError(err, ctx).message);
    expect(say(imapAuthError("AUTHENTICATIONFAILED", "Authentication failed."), imap)).toBe(
      "Authentication failed — check the mailbox's user name and password.",
    );
    expect(say(smtpError("Invalid login", "EAUTH", "535 bad", "AUTH PLAIN"), smtp)).toBe(
      "Authentication failed — check the user name and password in the server profile.",
    );
    expect(say(refused(), imap)).toBe(
      "Could not connect to imap.example.com:993 (connection refused) — check the incoming server location and port.",
    );
    expect(say(wrongVersion(), { ...imap, port: 143 })).toMatch(/^TLS handshake with imap\.example\.com:143 failed — the port may expect STARTTLS.*'Use SSL\/TLS for incoming connection'/);
    expect(say(certError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), imap)).toMatch(/^Certificate not trusted — .*self-signed/);
    // The server's own words are kept verbatim, introduced in the reader's language.
    const rejected = classifyMailError(smtpError("Can't send mail", "EENVELOPE", "550 5.1.1 <x@example.com>: Recipient address rejected", "RCPT TO"), smtp);
    expect(rejected.message.params).toMatchObject({ serverReply: "550 5.1.1 <x@example.com>: Recipient address rejected" });
    expect(english(rejected.message)).toContain('(the server said: "550 5.1.1 <x@example.com>: Recipient address rejected")');
    expect(renderMessage(translator("ja"), rejected.message)).toContain("サーバーの応答: 「550 5.1.1 <x@example.com>: Recipient address rejected」");
    expect(renderMessage(translator("ja"), classifyMailError(refused(), imap).message)).toBe(
      "imap.example.com:993 に接続できませんでした (接続が拒否されました) — 受信サーバーの場所とポートを確認してください。",
    );
  });

  test("the form: credentials point at the mailbox or the profile, settings at the profile", () => {
    const auth = imapAuthError("AUTHENTICATIONFAILED", "Authentication failed.");
    expect(classifyMailError(auth, imap).form).toBe("mailbox");
    expect(classifyMailError(auth, { ...imap, credentialsFrom: "profile" }).form).toBe("profile");
    expect(classifyMailError(refused(), imap).form).toBe("profile");
    expect(classifyMailError(new Error("kaboom"), imap).form).toBeNull();
  });

  test("detail keeps the technical text and never the password", () => {
    const password = "hunter2-secret";
    const echoed = smtpError("Invalid login", "EAUTH", `535 5.7.8 bad credentials for alice/${password} (${Buffer.from(password).toString("base64")})`, "AUTH PLAIN");
    const result = classifyMailError(echoed, { ...smtp, secrets: [password] });
    expect(result.detail).toContain("EAUTH");
    expect(result.detail).toContain("535 5.7.8");
    expect(result.detail).toContain("command AUTH PLAIN");
    expect(`${result.detail} ${english(result.message)}`).not.toContain(password);
    expect(`${result.detail} ${english(result.message)}`).not.toContain(Buffer.from(password).toString("base64"));
    // imapflow's executedCommand is never copied into the detail
    expect(classifyMailError(imapAuthError("AUTHENTICATIONFAILED", "x"), imap).detail).not.toContain("LOGIN");
  });

  test("only the server's and libraries' text is scrubbed, never the app's own wording", () => {
    const result = classifyMailError(imapAuthError("AUTHENTICATIONFAILED", "Authentication failed for mail"), { ...imap, secrets: ["mail"] });
    expect(english(result.message)).toBe("Authentication failed — check the mailbox's user name and password.");
    expect(result.detail).toContain("Authentication failed for [redacted]");
  });

  test("follows `cause` chains", () => {
    const wrapped = new Error("sync failed", { cause: refused() });
    expect(classifyMailError(wrapped, imap).code).toBe("connect_refused");
  });
});

test("a non-mail service's first line (a database or SSH banner) is never quoted to people; a mail server's reply is", () => {
  const banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2";
  const ctx = { direction: "outgoing" as const, protocol: "smtp" as const, host: "db.example.com", port: 5432, tls: false, credentialsFrom: "mailbox" as const };
  // nodemailer on a port that greets with something other than 220.
  const smtp = classifyMailError(Object.assign(new Error(`Invalid greeting. response=${banner}`), { code: "EPROTOCOL", response: banner }), ctx);
  expect(JSON.stringify(smtp.message)).not.toContain("OpenSSH");
  const pop3 = classifyMailError(new Pop3Error(`unexpected greeting: ${banner}`, { code: "EPROTOCOL", command: "greeting", response: banner }), { ...ctx, protocol: "pop3", direction: "incoming" });
  expect(JSON.stringify(pop3.message)).not.toContain("OpenSSH");
  const real = classifyMailError(Object.assign(new Error("Message failed"), { code: "EMESSAGE", responseCode: 550, response: "550 5.1.1 No such user", command: "RCPT TO" }), ctx);
  expect(JSON.stringify(real.message)).toContain("550 5.1.1 No such user");
});
