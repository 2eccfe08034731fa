import { classifyOAuthError, oauthRefusal } from "../credentials/classify-oauth-error";
import { OAuthError, type OAuthErrorCode, type OAuthErrorField } from "../oauth/oauth-error";
import { msg, type Message, type MessageParams } from "../i18n/message";
import type { MessageKey } from "../i18n/catalog";

/*
 * One classifier for every mail-library failure (imapflow, nodemailer, our POP3
 * client, Node's socket/DNS/TLS errors). The worker turns `kind` into retry or
 * disable (SPEC §4); the UI renders `message` (a catalogue key with parameters:
 * host, port, the side, the field's label, the server's reply verbatim) next to
 * `field`; `detail` (technical, English) goes into logs and the alert's detail.
 *
 * Library shapes it reads (see the sources in node_modules):
 * - imapflow passes Node's codes through (ECONNREFUSED, ENOTFOUND,
 *   ERR_SSL_WRONG_VERSION_NUMBER, DEPTH_ZERO_SELF_SIGNED_CERT, …), adds its own
 *   (CONNECT_TIMEOUT, GREETING_TIMEOUT, ETIMEOUT, NoConnection, ClosedAfterConnect*)
 *   and flags (authenticationFailed, serverResponseCode, mailboxMissing, tlsFailed).
 * - nodemailer overwrites Node's code with its own (ESOCKET, EDNS, ETLS,
 *   ECONNECTION, ETIMEDOUT, EAUTH, EPROTOCOL, EENVELOPE, EMESSAGE) but keeps
 *   Node's message ("connect ECONNREFUSED …", "self-signed certificate"), and
 *   sets responseCode/response/command for SMTP replies. So codes are also read
 *   out of messages.
 * - Pop3Error (./pop3.ts) keeps Node's codes and adds POP3_ERR with
 *   responseCode (IN-USE, SYS/TEMP, …) and authenticationFailed.
 */

export type MailErrorCode =
  | "auth_failed"
  | "connect_refused"
  | "host_not_found"
  | "timeout"
  | "tls_handshake_failed"
  | "cert_untrusted"
  | "too_many_connections"
  | "server_unavailable"
  | "mailbox_missing"
  | "protocol_not_offered"
  | "temporary_failure"
  | "message_rejected"
  /** MAILROOM_ALLOWED_PORTS does not allow the port: no connection was made (lib/mail/port-policy.ts). */
  | "port_not_allowed"
  /** The user name or password holds CR, LF or NUL: nothing was sent (lib/mail/pop3.ts, lib/credentials). */
  | "credentials_unsafe"
  | "unknown"
  /** OAuth 2.0: a token could not be had, or the server refused it (lib/credentials/classify-oauth-error.ts). */
  | `oauth_${OAuthErrorCode}`
  | "oauth_basic_auth_disabled";

/** The form fields a failure can point at (profile form, or the mailbox form for credentials). */
export type MailErrorField =
  | "incomingHost"
  | "incomingPort"
  | "incomingTls"
  | "incomingAuthMethod"
  | "outgoingHost"
  | "outgoingPort"
  | "outgoingTls"
  | "outgoingAuthMethod"
  | "userName"
  | "outgoingUserName"
  | "maxConnections"
  | NonNullable<OAuthErrorField>;

export type MailErrorContext = {
  direction: "incoming" | "outgoing";
  protocol: "imap" | "pop3" | "smtp";
  host: string;
  port: number;
  /** Implicit TLS ("Use SSL"). */
  tls: boolean;
  credentialsFrom: "mailbox" | "profile";
  /** For outgoing with profile credentials: whether the profile has separate outgoing credentials. */
  outgoingCredentials?: "same" | "separate";
  /** Strings to scrub from `detail` and `message` (the password), in case a server echoes them. */
  secrets?: string[];
  /** The session signed in with an OAuth access token (XOAUTH2/OAUTHBEARER), not a password. */
  oauth?: boolean;
  /** The profile's OAuth provider (google, microsoft, generic), named in OAuth messages. */
  provider?: string | null;
};

export type ClassifiedError = {
  /** transient: retry later with backoff. permanent: disable this direction until a new test & enable. */
  kind: "transient" | "permanent";
  code: MailErrorCode;
  /** The field at fault, or null when no setting is to blame. */
  field: MailErrorField | null;
  /** Which form holds `field`: the mailbox (its own credentials) or the server profile. */
  form: "mailbox" | "profile" | null;
  /** What happened, which setting, what to do: for people, in their language (lib/i18n/messages/mail-errors.ts). */
  message: Message;
  /** The technical text (codes, server replies), never a password. */
  detail: string;
};

type Facts = {
  codes: Set<string>;
  text: string;
  authenticationFailed: boolean;
  imapCode?: string;
  pop3Code?: string;
  smtpCode?: number;
  command?: string;
  mailboxMissing: boolean;
  tlsFailed: boolean;
  errors: Array<Record<string, unknown>>;
};

type Verdict = Omit<ClassifiedError, "detail" | "form">;

const CERT_PROBLEMS: Array<{ codes: string[]; pattern: RegExp; what: MessageKey }> = [
  { codes: ["ERR_TLS_CERT_ALTNAME_INVALID"], pattern: /does not match certificate's altnames/i, what: "mailError.cert.altName" },
  { codes: ["CERT_HAS_EXPIRED"], pattern: /certificate has expired/i, what: "mailError.cert.expired" },
  { codes: ["CERT_NOT_YET_VALID"], pattern: /certificate is not yet valid/i, what: "mailError.cert.notYetValid" },
  { codes: ["CERT_REVOKED"], pattern: /certificate revoked/i, what: "mailError.cert.revoked" },
  { codes: ["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN"], pattern: /self[- ]signed certificate/i, what: "mailError.cert.selfSigned" },
  {
    codes: ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT", "CERT_UNTRUSTED", "CERT_SIGNATURE_FAILURE", "CERT_CHAIN_TOO_LONG", "INVALID_CA"],
    pattern: /unable to (verify the first certificate|get (local )?issuer certificate)|certificate not trusted|certificate signature failure/i,
    what: "mailError.cert.untrustedCa",
  },
];

/** TLS spoken to a port that is not speaking TLS (yet): the classic "Use SSL" mix-up. */
const TLS_MISMATCH_CODES = ["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_HTTP_REQUEST", "ERR_SSL_UNKNOWN_PROTOCOL", "ERR_SSL_RECORD_LAYER_FAILURE"];
const TLS_MISMATCH_TEXT = /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i;
const TLS_OTHER_TEXT = /SSL routines|tlsv1 alert|handshake failure|no protocols available|unsupported protocol/i;
/** The peer hung up mid-handshake: as likely an overloaded server as a wrong port, so retried. */
const TLS_HUNG_UP_TEXT = /before secure TLS connection was established/i;

const TIMEOUT_CODES = ["ETIMEDOUT", "ETIMEOUT", "ESOCKETTIMEDOUT", "CONNECT_TIMEOUT", "GREETING_TIMEOUT", "UPGRADE_TIMEOUT"];
const UNREACHABLE_CODES = ["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EADDRNOTAVAIL"];
const RESET_CODES = ["ECONNRESET", "EPIPE", "ECONNABORTED"];
const CLOSED_CODES = ["ECONNCLOSED", "ECONNECTION", "NoConnection", "EConnectionClosed", "ClosedAfterConnectText", "ClosedAfterConnectTLS"];
/** The server does not speak the protocol we expected on that port. */
const WRONG_PROTOCOL_CODES = ["EPROTOCOL", "InvalidResponse", "UnexpectedTag", "MissingTag", "ParserError"];
const NODE_CODE_IN_TEXT = /\b(E[A-Z]{4,}|EAI_[A-Z]+|ERR_[A-Z_]+)\b/g;

const TOO_MANY_TEXT = /too many (simultaneous |concurrent )?connections|maximum number of (concurrent )?connections|connection limit|mail_max_userip_connections/i;
const NEEDS_TLS_TEXT = /plaintext authentication (is )?(disallowed|not allowed)|login is disabled|LOGINDISABLED|must issue a STARTTLS/i;
const MECHANISM_TEXT = /unsupported (authentication )?mechanism|unrecognized authentication type|mechanism (is )?not supported|no matching authentication method|unknown authentication method|not supported for (IMAP|POP3)/i;
const MAILBOX_MISSING_TEXT = /mailbox (does not|doesn't) exist|no such mailbox|NONEXISTENT/i;

const PORTS = { imap: { tls: 993, plain: 143 }, pop3: { tls: 995, plain: 110 }, smtp: { tls: 465, plain: 587 } } as const;

/** The fields of one error that the classifier reads, with any secret scrubbed from its strings. */
const READ_FIELDS = ["code", "message", "response", "responseText", "reason", "command", "serverResponseCode", "responseCode", "name", "authenticationFailed", "mailboxMissing", "tlsFailed", "allowedPorts"];

/**
 * Walks an error, its `cause` and imapflow's `_err` and collects what can be tested.
 * Secrets are scrubbed here, from the server's and libraries' text only, so
 * nothing downstream can leak them and our own wording is never mangled.
 */
function readFacts(err: unknown, secrets: string[] = []): Facts {
  const facts: Facts = { codes: new Set(), text: "", authenticationFailed: false, mailboxMissing: false, tlsFailed: false, errors: [] };
  const texts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") {
      texts.push(redact(String(current), secrets));
      break;
    }
    const raw = current as Record<string, unknown>;
    const e: Record<string, unknown> = {};
    for (const key of READ_FIELDS) e[key] = typeof raw[key] === "string" ? redact(raw[key] as string, secrets) : raw[key];
    facts.errors.push(e);
    if (typeof e.code === "string") facts.codes.add(e.code);
    if (typeof e.code === "string" && e.code.startsWith("ParserError")) facts.codes.add("ParserError");
    for (const key of ["message", "response", "responseText", "reason"]) if (typeof e[key] === "string") texts.push(e[key] as string);
    if (e.authenticationFailed === true) facts.authenticationFailed = true;
    if (e.mailboxMissing === true) facts.mailboxMissing = true;
    if (e.tlsFailed === true) facts.tlsFailed = true;
    if (typeof e.serverResponseCode === "string") facts.imapCode ??= e.serverResponseCode.toUpperCase();
    if (e.name === "Pop3Error" && typeof e.responseCode === "string") facts.pop3Code ??= e.responseCode.toUpperCase();
    if (typeof e.responseCode === "number") facts.smtpCode ??= e.responseCode;
    if (typeof e.command === "string") facts.command ??= e.command;
    current = raw.cause ?? raw._err;
  }
  facts.text = texts.join(" | ");
  for (const match of facts.text.matchAll(NODE_CODE_IN_TEXT)) facts.codes.add(match[1]);
  return facts;
}

const hasAny = (facts: Facts, codes: string[]) => codes.some((c) => facts.codes.has(c));

/**
 * Classifies a mail error for the worker (retry or disable), the alert (message,
 * detail) and the form (field). Unknown errors are transient: disabling a
 * mailbox needs evidence, and repeated transient failures still raise a warning.
 */
export function classifyMailError(err: unknown, ctx: MailErrorContext): ClassifiedError {
  if (err instanceof OAuthError) return classifyOAuthError(err, ctx);
  const facts = readFacts(err, ctx.secrets);
  const verdict = decide(facts, ctx);
  const form = verdict.field === null ? null : verdict.field === "userName" || verdict.field === "outgoingUserName" ? ctx.credentialsFrom : "profile";
  return oauthRefusal({ ...verdict, form, detail: describe(facts, ctx) }, ctx);
}

function decide(facts: Facts, ctx: MailErrorContext): Verdict {
  const side = ctx.direction;
  const f = {
    host: `${side}Host`,
    port: `${side}Port`,
    tls: `${side}Tls`,
    authMethod: `${side}AuthMethod`,
  } as const satisfies Record<string, MailErrorField>;
  const userNameField: MailErrorField =
    side === "outgoing" && ctx.credentialsFrom === "profile" && ctx.outgoingCredentials === "separate" ? "outgoingUserName" : "userName";
  const ports = PORTS[ctx.protocol];
  // Every message may use these; `…Key` parameters are translated (lib/i18n/message.ts).
  const base: MessageParams = {
    host: ctx.host,
    port: ctx.port,
    proto: ctx.protocol.toUpperCase(),
    tlsPort: ports.tls,
    plainPort: ports.plain,
    sideKey: `common.side.${side}`,
    tlsFieldKey: `profiles.field.${f.tls}`,
    authFieldKey: `profiles.field.${f.authMethod}`,
    maxFieldKey: "profiles.field.maxConnections",
    ...serverReply(facts),
  };
  const credentialsKey: MessageKey =
    ctx.credentialsFrom === "mailbox" ? "mailError.credentials.mailbox" : userNameField === "outgoingUserName" ? "mailError.credentials.profileOutgoing" : "mailError.credentials.profile";
  const verdict = (kind: Verdict["kind"], code: MailErrorCode, field: MailErrorField | null, key: MessageKey, params: MessageParams = {}): Verdict => ({
    kind,
    code,
    field,
    message: msg(key, { ...base, ...params }),
  });

  // Refused here, before anything was sent.
  if (facts.codes.has("EPORTPOLICY")) {
    const allowed = facts.errors.map((e) => e.allowedPorts).find(Array.isArray) as number[] | undefined;
    return verdict("permanent", "port_not_allowed", f.port, "mailError.portNotAllowed", { allowed: (allowed ?? []).join(", ") });
  }
  if (facts.codes.has("EUNSAFECREDENTIALS")) return verdict("permanent", "credentials_unsafe", userNameField, "mailError.unsafeCredentials", { credentialsKey });
  if (facts.codes.has("ENOTLS")) return verdict("permanent", "protocol_not_offered", f.tls, "mailError.noStarttls");

  // TLS: the certificate, then the handshake itself.
  const cert = CERT_PROBLEMS.find((p) => hasAny(facts, p.codes) || p.pattern.test(facts.text));
  if (cert) {
    const adviceKey: MessageKey = cert.codes[0] === "ERR_TLS_CERT_ALTNAME_INVALID" ? "mailError.cert.adviceName" : "mailError.cert.adviceCa";
    return verdict("permanent", "cert_untrusted", f.host, "mailError.certUntrusted", { problemKey: cert.what, adviceKey });
  }
  if (hasAny(facts, TLS_MISMATCH_CODES) || TLS_MISMATCH_TEXT.test(facts.text)) {
    return verdict("permanent", "tls_handshake_failed", f.tls, ctx.tls ? "mailError.tlsMismatch" : "mailError.tlsAfterStarttls");
  }
  if (facts.tlsFailed || (facts.command === "STLS" && facts.codes.has("POP3_ERR")) || (facts.command === "STARTTLS" && facts.smtpCode)) {
    return verdict("permanent", "protocol_not_offered", f.tls, "mailError.noStarttls");
  }
  if (TLS_HUNG_UP_TEXT.test(facts.text)) {
    return verdict("transient", "tls_handshake_failed", f.tls, "mailError.tlsHungUp");
  }
  if (facts.codes.has("ETLS") || TLS_OTHER_TEXT.test(facts.text) || [...facts.codes].some((c) => c.startsWith("ERR_SSL_"))) {
    return verdict("permanent", "tls_handshake_failed", f.tls, "mailError.tlsOther");
  }

  // What the server said.
  if (TOO_MANY_TEXT.test(facts.text) || facts.imapCode === "LIMIT" || facts.pop3Code === "IN-USE" || facts.imapCode === "INUSE") {
    const inUse = facts.pop3Code === "IN-USE" || facts.imapCode === "INUSE";
    return verdict("transient", "too_many_connections", "maxConnections", inUse ? "mailError.mailboxInUse" : "mailError.tooManyConnections");
  }
  if (facts.pop3Code === "SYS/PERM") {
    return verdict("permanent", "server_unavailable", null, "mailError.permanentSystemError");
  }
  if (facts.imapCode === "UNAVAILABLE" || facts.pop3Code === "SYS/TEMP" || facts.pop3Code === "LOGIN-DELAY") {
    return verdict("transient", facts.pop3Code === "LOGIN-DELAY" ? "temporary_failure" : "server_unavailable", null, "mailError.cannotSignInNow");
  }
  if (facts.imapCode === "PRIVACYREQUIRED" || NEEDS_TLS_TEXT.test(facts.text)) {
    return verdict("permanent", "auth_failed", f.tls, "mailError.needsTls");
  }
  if (facts.smtpCode === 504 || MECHANISM_TEXT.test(facts.text)) {
    return verdict("permanent", "protocol_not_offered", f.authMethod, "mailError.mechanism");
  }
  if (facts.command?.startsWith("AUTH") && (facts.smtpCode === 502 || facts.smtpCode === 503)) {
    return verdict("permanent", "protocol_not_offered", f.port, "mailError.noAuthOnPort");
  }
  if (facts.authenticationFailed || hasAny(facts, ["EAUTH", "ENOAUTH"])) {
    if (facts.smtpCode && facts.smtpCode < 500) {
      return verdict("transient", "temporary_failure", null, "mailError.authTemporary");
    }
    return verdict("permanent", "auth_failed", userNameField, "mailError.authFailed", { credentialsKey });
  }
  if (facts.mailboxMissing || facts.imapCode === "NONEXISTENT" || MAILBOX_MISSING_TEXT.test(facts.text)) {
    return verdict("permanent", "mailbox_missing", null, "mailError.inboxMissing");
  }
  if (facts.smtpCode) {
    if (facts.smtpCode === 421) return verdict("transient", "server_unavailable", null, "mailError.notAccepting");
    if (facts.smtpCode < 500) return verdict("transient", "temporary_failure", null, "mailError.temporaryFailure");
    if (hasAny(facts, ["EENVELOPE", "EMESSAGE"]) || /^(MAIL|RCPT|DATA)/.test(facts.command ?? "")) {
      return verdict("permanent", "message_rejected", null, "mailError.messageRejected");
    }
    return verdict("permanent", "server_unavailable", f.host, "mailError.sessionRefused");
  }

  // The network.
  const timedOut = (): Verdict => {
    const greeting = facts.codes.has("GREETING_TIMEOUT") || facts.command === "greeting" || /greeting/i.test(facts.text);
    if (greeting && !ctx.tls) return verdict("transient", "timeout", f.tls, "mailError.greetingTimeout");
    return verdict("transient", "timeout", f.host, "mailError.timeout");
  };
  if (hasAny(facts, TIMEOUT_CODES)) return timedOut();
  if (hasAny(facts, ["ENOTFOUND", "ENODATA", "EAI_NONAME", "EAI_NODATA"])) {
    // Permanent: the name service answered that the name does not exist, which a
    // retry will not change (a typo in the location). Resolver outages come as
    // EAI_AGAIN/ESERVFAIL and stay transient below.
    return verdict("permanent", "host_not_found", f.host, "mailError.hostNotFound");
  }
  if (hasAny(facts, ["EAI_AGAIN", "ESERVFAIL", "EDNS", "EAI_FAIL"])) {
    return verdict("transient", "host_not_found", f.host, "mailError.dnsUnavailable");
  }
  if (facts.codes.has("ERR_SOCKET_BAD_PORT")) {
    return verdict("permanent", "connect_refused", f.port, "mailError.badPort");
  }
  if (facts.codes.has("ECONNREFUSED")) {
    return verdict("transient", "connect_refused", f.port, "mailError.connectionRefused");
  }
  if (hasAny(facts, UNREACHABLE_CODES)) {
    return verdict("transient", "connect_refused", f.host, "mailError.unreachable");
  }
  if (hasAny(facts, RESET_CODES)) {
    return verdict("transient", "temporary_failure", null, "mailError.connectionReset");
  }
  // Only now the words, so that a host named "timeout.example.com" is not a timeout.
  if (/\btimed out\b|\btimeout\b/i.test(facts.text)) return timedOut();
  if (facts.command === "greeting" && facts.codes.has("POP3_ERR")) {
    return verdict("transient", "server_unavailable", null, "mailError.sessionRefusedRetry");
  }
  if (hasAny(facts, WRONG_PROTOCOL_CODES)) {
    return verdict("permanent", "protocol_not_offered", f.port, "mailError.wrongProtocol");
  }
  if (hasAny(facts, CLOSED_CODES) || /connection closed|unexpected close|socket hang up/i.test(facts.text)) {
    return verdict("transient", "server_unavailable", null, "mailError.connectionClosed");
  }
  return verdict("transient", "unknown", null, "mailError.unexpected");
}

/**
 * The server's own words, verbatim (`{reply}` = " (the server said: "550 5.1.1 …")"),
 * or an empty `{reply}` when it sent none worth quoting.
 */
function serverReply(facts: Facts): MessageParams {
  for (const e of facts.errors) {
    const text = mailProtocolReply(e);
    if (text) return { replyKey: "mailError.serverSaid", serverReply: text.trim().slice(0, 200) };
  }
  return { replyKey: "" };
}

/**
 * The server's words, only when they came from a mail protocol exchange: an IMAP
 * tagged reply (imapflow's responseText), a POP3 -ERR, an SMTP reply with its code.
 * Whatever else a port sends first (a database's or SSH's banner) is not quoted to
 * people — test & enable must not read out other services; the raw text stays in
 * the detail, which only admins see.
 */
function mailProtocolReply(e: Record<string, unknown>): string | undefined {
  if (typeof e.responseText === "string" && e.responseText) return e.responseText;
  if (typeof e.response !== "string" || !e.response) return undefined;
  if (e.name === "Pop3Error") return e.code === "POP3_ERR" ? e.response : undefined;
  return /^[2-5]\d\d[ -]/.test(e.response) && e.code !== "EPROTOCOL" ? e.response : undefined;
}

/** The technical line for the alert: protocol, endpoint, each error's code, message and server reply. */
function describe(facts: Facts, ctx: MailErrorContext): string {
  const parts: string[] = [];
  for (const e of facts.errors) {
    const head = [typeof e.code === "string" ? e.code : undefined, typeof e.message === "string" ? e.message.trim() : undefined].filter(Boolean).join(": ");
    const extra: string[] = [];
    if (typeof e.command === "string") extra.push(`command ${e.command}`);
    if (typeof e.serverResponseCode === "string") extra.push(`server code ${e.serverResponseCode}`);
    if (typeof e.responseCode === "string" || typeof e.responseCode === "number") extra.push(`response code ${e.responseCode}`);
    if (typeof e.response === "string" && e.response && !String(e.message).includes(e.response)) extra.push(`response: ${e.response.trim()}`);
    const part = extra.length > 0 ? `${head} (${extra.join("; ")})` : head;
    // A wrapper often repeats its cause's words; say them once.
    if (part && !parts.some((p) => p.includes(part))) parts.push(part);
  }
  const text = parts.length > 0 ? parts.join(" <- ") : facts.text;
  return `${ctx.protocol.toUpperCase()} ${ctx.host}:${ctx.port} (${ctx.tls ? "TLS" : "plain/STARTTLS"}): ${text}`.slice(0, 2000);
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of [secret, Buffer.from(secret, "utf8").toString("base64")]) out = out.split(form).join("[redacted]");
  }
  return out;
}
