// The profile form's fields and rules (SPEC §1). Pure (zod only, no node: or env
// imports) so the client can check formats with the same schema; the deployment's
// policy is passed in by the server (see load-profile-policy.ts).
import { z } from "zod";
import { AppError } from "../errors";
import type { MessageKey } from "../i18n/catalog";
import { msg, nested, type Message, type MessageParams } from "../i18n/message";
import { forbiddenCharacterErrors, messageOfIssue } from "../validation";
import { isUuid } from "../is-uuid";
import { fillProfileDefaults, hasFixedServers, serverTypes, type IncomingProtocol, type ServerType } from "./fill-profile-defaults";
import { parseOAuthSettings, type OAuthField, type OAuthSettingsInput } from "./parse-oauth-settings";

export { serverTypes };
export const incomingProtocols = ["imap", "pop3"] as const;
export const credentialModes = ["mailbox", "profile", "windows", "anonymous"] as const;
export const afterFetchActions = ["keep", "mark_read", "move", "delete"] as const;
export type AfterFetchAction = (typeof afterFetchActions)[number];
export const authMethods = ["auto", "plain", "login", "cram-md5", "xoauth2"] as const;
export type AuthMethod = (typeof authMethods)[number];

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");

const text = (max: number, tooLong: MessageKey) => z.preprocess((v) => (v == null ? "" : v), z.string().trim().max(max, tooLong));
// Passwords are kept exactly as typed: spaces at either end may be part of them.
const secret = z.preprocess((v) => (v == null ? "" : v), z.string().max(1024, "validation.passwordTooLong"));
// A browser sends an unticked checkbox as nothing and a ticked one as "on".
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());
const wholeNumber = (min: number, max: number, message: MessageKey) =>
  z.preprocess(
    // Decimal digits only: Number() would read "1e3" as 1000 and "0x3e1" as 993.
    (v) => (isBlank(v) ? undefined : typeof v === "string" ? (/^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : Number.NaN) : v),
    z.number({ error: message }).int(message).min(min, message).max(max, message).optional(),
  );
const choice = <T extends readonly [string, ...string[]]>(values: T, fallback: T[number] | undefined, message: MessageKey) =>
  z.preprocess((v) => (isBlank(v) ? fallback : v), z.enum(values, { error: message }));

const dateTime = z.preprocess(
  (v) => {
    if (isBlank(v)) return undefined;
    if (typeof v !== "string") return v;
    // A datetime-local field has no zone; the form is expected to send ISO with an
    // offset (new Date(local).toISOString()), and a bare value is read as UTC.
    const s = v.trim();
    return new Date(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? `${s}Z` : s);
  },
  // Years the database stores and a mail archive can mean ("0000-01-01" failed the write).
  z.date({ error: "validation.profile.dateTime" }).refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, "validation.profile.dateTime").optional(),
);

const portMessage = "validation.profile.port";
const authMessage = "validation.profile.authMethod";

/**
 * One schema per form field, named as the form names them. Values may be the
 * strings a FormData carries or plain JS values (numbers, booleans, Date). Rule
 * messages are catalogue keys (lib/i18n/messages/errors.ts).
 */
export const profileFieldSchemas = {
  name: z.preprocess(
    (v) => (v == null ? "" : v),
    z.string().trim().min(1, "validation.profile.nameRequired").max(100, "validation.profile.nameTooLong"),
  ),
  description: text(1000, "validation.profile.descriptionTooLong"),
  ownerId: z.preprocess(
    (v) => (isBlank(v) ? undefined : v),
    z.string().refine(isUuid, "validation.profile.owner").optional(),
  ),
  serverType: choice(serverTypes, undefined, "validation.profile.serverType"),
  incomingProtocol: choice(incomingProtocols, "imap", "validation.profile.incomingProtocol"),
  incomingHost: text(253, "validation.profile.hostTooLong"),
  outgoingHost: text(253, "validation.profile.hostTooLong"),
  credentialMode: choice(credentialModes, "mailbox", "validation.profile.credentialMode"),
  userName: text(256, "validation.userNameTooLong"),
  password: secret,
  clearPassword: checkbox,
  useSameForOutgoing: checkbox,
  outgoingUserName: text(256, "validation.userNameTooLong"),
  outgoingPassword: secret,
  clearOutgoingPassword: checkbox,
  incomingPort: wholeNumber(1, 65535, portMessage),
  outgoingPort: wholeNumber(1, 65535, portMessage),
  incomingTls: checkbox,
  outgoingTls: checkbox,
  // Blank: OAuth 2.0 for Gmail and Microsoft 365 (they refuse passwords), else automatic.
  incomingAuthMethod: z.preprocess((v) => (isBlank(v) ? undefined : v), z.enum(authMethods, { error: authMessage }).optional()),
  outgoingAuthMethod: z.preprocess((v) => (isBlank(v) ? undefined : v), z.enum(authMethods, { error: authMessage }).optional()),
  processEmailFrom: dateTime,
  minPollingIntervalMinutes: wholeNumber(1, 1440, "validation.profile.pollingInterval"),
  maxConnections: wholeNumber(1, 1000, "validation.profile.maxConnections"),
  // Blank: no slow-mail warning for this profile's mailboxes.
  slowMailMinutes: wholeNumber(1, 1440, "monitoring.slowMail.invalid"),
  isDefault: checkbox,
  allowUnencrypted: checkbox,
  pushEnabled: checkbox,
  appendSentToImap: checkbox,
  afterFetchAction: choice(afterFetchActions, "keep", "validation.profile.afterFetchAction"),
  afterFetchFolder: text(255, "validation.profile.afterFetchFolderTooLong"),
};

/** The whole form as one zod object (for client-side format checks; the server uses `parseProfileInput`). */
export const profileFormSchema = z.object(profileFieldSchemas);
export type ProfileFormField = keyof typeof profileFieldSchemas;
type Fields = z.output<typeof profileFormSchema>;

/** What to do with a stored password: keep it (left blank), remove it, or replace it. */
export type SecretChange = { kind: "keep" } | { kind: "clear" } | { kind: "set"; value: string };

/** A validated profile, ports filled, ready to store. Credentials only in "profile" mode. */
export type ProfileInput = {
  name: string;
  description: string;
  ownerId: string | null;
  serverType: ServerType;
  incomingProtocol: IncomingProtocol;
  incomingHost: string;
  outgoingHost: string;
  credentialMode: "mailbox" | "profile";
  userName: string | null;
  password: SecretChange;
  useSameForOutgoing: boolean;
  outgoingUserName: string | null;
  outgoingPassword: SecretChange;
  incomingPort: number;
  outgoingPort: number;
  incomingTls: boolean;
  outgoingTls: boolean;
  incomingAuthMethod: AuthMethod;
  outgoingAuthMethod: AuthMethod;
  /** The OAuth 2.0 app; null when neither direction uses OAuth 2.0 (its stored settings are then cleared). */
  oauth: OAuthSettingsInput | null;
  /** Undefined when left blank: now for a new profile, unchanged for an edit. */
  processEmailFrom: Date | undefined;
  minPollingIntervalMinutes: number;
  maxConnections: number;
  /** New-mail latency p95 (minutes) above which a slow-mail warning goes out; null: none. */
  slowMailMinutes: number | null;
  isDefault: boolean;
  /** "Allow unencrypted connections (not recommended)": sign in without STARTTLS when a server offers none. */
  allowUnencrypted: boolean;
  /** "Push new mail (IMAP IDLE) when the server offers it". */
  pushEnabled: boolean;
  /** "Append sent mail to the IMAP Sent folder" (lib/outbox/append-sent-copies.ts). */
  appendSentToImap: boolean;
  /** What sync does on the server once a message is stored (lib/sync/after-fetch.ts); folder only for "move". */
  afterFetchAction: AfterFetchAction;
  afterFetchFolder: string | null;
};

/** The deployment's rules for profiles, from the environment on the server. */
export type ProfilePolicy = {
  /** MAILROOM_ALLOWED_PORTS; null allows any port. */
  allowedPorts: number[] | null;
  /** MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP=1 (the guide's AllowCredentialsEntryViaNonSecureChannels). */
  allowCredentialsOverHttp: boolean;
};

export type ProfileInputContext = {
  /** False when the request reached the app over plain HTTP (not HTTPS and not localhost). */
  secureChannel: boolean;
  policy: ProfilePolicy;
  /** The stored profile when editing: decides whether a blank password keeps one. */
  existing?: {
    userName: string | null;
    outgoingUserName: string | null;
    passwordSet: boolean;
    outgoingPasswordSet: boolean;
    oauthClientSecretSet?: boolean;
    oauthCertificateSet?: boolean;
    oauthServiceAccountKeySet?: boolean;
  } | null;
};

/** Why a user name or password is refused over plain HTTP. */
export const insecureChannelMessage: Message = msg("error.insecureChannel");

/**
 * Validates the profile form (FormData or a plain object) and applies every rule of
 * SPEC §1 that does not need the database: formats and ranges, Gmail locations and
 * default ports, host names, credential modes, required credentials, the insecure
 * channel rule and the outbound port policy. Throws `AppError("invalid")` whose
 * `fieldErrors` are keyed by form field name; name uniqueness is checked on save.
 */
export function parseProfileInput(raw: FormData | Record<string, unknown>, context: ProfileInputContext): ProfileInput {
  const source: Record<string, unknown> = raw instanceof FormData ? Object.fromEntries(raw) : raw;
  const errors: Record<string, Message[]> = {};
  const fail = (field: ProfileFormField | OAuthField, message: Message) => (errors[field] ??= []).push(message);

  for (const [field, messages] of Object.entries(forbiddenCharacterErrors(source))) for (const m of messages) fail(field as ProfileFormField, m);
  // Field by field, so that one bad field does not hide the rules about the others.
  const v: Partial<Fields> = {};
  for (const [field, schema] of Object.entries(profileFieldSchemas)) {
    const result = schema.safeParse(source[field]);
    if (result.success) (v as Record<string, unknown>)[field] = result.data;
    else for (const issue of result.error.issues) fail(field as ProfileFormField, messageOfIssue(issue));
  }

  const incomingAuthMethod = v.incomingAuthMethod ?? defaultAuthMethod(v.serverType);
  const outgoingAuthMethod = v.outgoingAuthMethod ?? defaultAuthMethod(v.serverType);
  const usesOAuth = incomingAuthMethod === "xoauth2" || outgoingAuthMethod === "xoauth2";
  // Passwords are needed only for a direction that does not sign in with OAuth 2.0.
  const credentials = checkCredentials(source, v, context, fail, incomingAuthMethod !== "xoauth2" || outgoingAuthMethod !== "xoauth2");
  const location = checkLocation({ ...v, oauthCloud: usesOAuth ? cloudOf(source) : null }, context.policy, fail);
  const oauth =
    credentials && v.serverType
      ? parseOAuthSettings(
          source,
          { serverType: v.serverType, credentialMode: credentials.credentialMode, usesOAuth, locked: !context.secureChannel && !context.policy.allowCredentialsOverHttp, existing: oauthSecretsSet(context.existing) },
          (field, key, params) => fail(field, msg(key, params)),
          (field) => fail(field, insecureChannelMessage),
        )
      : null;

  // POP3 has no flags or folders: keep or delete. Move needs the (existing) folder's name.
  if (location?.incomingProtocol === "pop3" && (v.afterFetchAction === "mark_read" || v.afterFetchAction === "move")) fail("afterFetchAction", msg("validation.profile.afterFetchPop3"));
  if (v.afterFetchAction === "move" && !v.afterFetchFolder) fail("afterFetchFolder", msg("validation.profile.afterFetchFolder"));
  if (Object.keys(errors).length > 0 || !location || !credentials || oauth === "invalid") {
    throw new AppError("invalid", msg("error.profile.notSaved"), { fieldErrors: errors });
  }
  return {
    name: v.name!,
    description: v.description ?? "",
    ownerId: v.ownerId ?? null,
    serverType: location.serverType,
    incomingProtocol: location.incomingProtocol,
    incomingHost: location.incomingHost,
    outgoingHost: location.outgoingHost,
    incomingPort: location.incomingPort,
    outgoingPort: location.outgoingPort,
    incomingTls: location.incomingTls,
    outgoingTls: location.outgoingTls,
    ...credentials,
    incomingAuthMethod,
    outgoingAuthMethod,
    oauth,
    processEmailFrom: v.processEmailFrom,
    minPollingIntervalMinutes: v.minPollingIntervalMinutes ?? 5,
    maxConnections: v.maxConnections ?? 10,
    slowMailMinutes: v.slowMailMinutes ?? null,
    isDefault: v.isDefault ?? false,
    allowUnencrypted: v.allowUnencrypted ?? false,
    pushEnabled: v.pushEnabled ?? false,
    appendSentToImap: v.appendSentToImap ?? false,
    afterFetchAction: v.afterFetchAction ?? "keep",
    afterFetchFolder: v.afterFetchAction === "move" ? v.afterFetchFolder || null : null,
  };
}

type Fail = (field: ProfileFormField | OAuthField, message: Message) => void;


/** The authentication protocol a blank field means: OAuth 2.0 where the provider refuses passwords. */
export function defaultAuthMethod(serverType: ServerType | undefined): AuthMethod {
  return serverType === "gmail" || serverType === "microsoft365" ? "xoauth2" : "auto";
}

function oauthSecretsSet(e: ProfileInputContext["existing"]) {
  return { oauthClientSecretSet: !!e?.oauthClientSecretSet, oauthCertificateSet: !!e?.oauthCertificateSet, oauthServiceAccountKeySet: !!e?.oauthServiceAccountKeySet };
}

function cloudOf(source: Record<string, unknown>) {
  const c = source.oauthCloud;
  return c === "usgov" || c === "china" ? c : null;
}
type Credentials = Pick<ProfileInput, "credentialMode" | "userName" | "password" | "useSameForOutgoing" | "outgoingUserName" | "outgoingPassword">;

function checkCredentials(source: Record<string, unknown>, v: Partial<Fields>, context: ProfileInputContext, fail: Fail, needsPassword: boolean): Credentials | null {
  const existing = context.existing ?? null;
  const locked = !context.secureChannel && !context.policy.allowCredentialsOverHttp;
  let userName = v.userName ?? "";
  let outgoingUserName = v.outgoingUserName ?? "";
  // Fields refused for the channel get that one message, not also "required".
  const refused = new Set<ProfileFormField>();
  const refuse = (field: ProfileFormField) => {
    refused.add(field);
    fail(field, insecureChannelMessage);
  };
  const required = (field: ProfileFormField, message: Message) => {
    if (!refused.has(field)) fail(field, message);
  };
  if (locked) {
    // Nothing typed may be accepted; a user name sent back unchanged was not typed.
    if (userName && userName !== (existing?.userName ?? "")) refuse("userName");
    if (outgoingUserName && outgoingUserName !== (existing?.outgoingUserName ?? "")) refuse("outgoingUserName");
    if (typeof source.password === "string" && source.password !== "") refuse("password");
    if (typeof source.outgoingPassword === "string" && source.outgoingPassword !== "") refuse("outgoingPassword");
    userName = existing?.userName ?? "";
    outgoingUserName = existing?.outgoingUserName ?? "";
  }
  const password = locked ? "" : (v.password ?? "");
  const outgoingPassword = locked ? "" : (v.outgoingPassword ?? "");

  const mode = v.credentialMode;
  if (mode === undefined) return null;
  if (mode === "windows") {
    const over: MessageParams =
      v.serverType === "gmail"
        ? { overKey: "validation.profile.over.gmail" }
        : v.serverType === "microsoft365"
          ? { overKey: "validation.profile.over.microsoft365" }
          : { over: v.incomingProtocol === "pop3" ? "POP3" : "IMAP" };
    fail("credentialMode", msg("validation.profile.windows", over));
    return null;
  }
  if (mode === "anonymous") {
    fail("credentialMode", msg("validation.profile.anonymous"));
    return null;
  }
  const useSameForOutgoing = v.useSameForOutgoing ?? false;
  if (mode === "mailbox") {
    // Each mailbox carries its own; credentials the profile no longer uses are not kept.
    return { credentialMode: "mailbox", userName: null, password: { kind: "clear" }, useSameForOutgoing, outgoingUserName: null, outgoingPassword: { kind: "clear" } };
  }

  if (!needsPassword) {
    // OAuth 2.0 both ways: the profile's app signs in for every mailbox; no user name or password is kept.
    return { credentialMode: "profile", userName: null, password: { kind: "clear" }, useSameForOutgoing, outgoingUserName: null, outgoingPassword: { kind: "clear" } };
  }
  // Over plain HTTP, a missing credential also says why it cannot be typed here.
  const withHttps = (m: Message): Message => (locked ? msg("validation.profile.andHttps", { ...nested("cause", m), httpsKey: "error.insecureChannel" }) : m);
  const passwordChange = (
    typed: string,
    clear: boolean | undefined,
    stored: boolean,
    field: "password" | "outgoingPassword",
    missing: Message,
  ): SecretChange | null => {
    if (typed !== "") return { kind: "set", value: typed };
    if (clear) {
      required(field, msg("validation.profile.noClearing", nested("cause", missing)));
      return null;
    }
    if (stored) return { kind: "keep" };
    required(field, withHttps(missing));
    return null;
  };

  if (!userName) required("userName", withHttps(msg("validation.profile.userNameRequired")));
  const incoming = passwordChange(password, v.clearPassword, existing?.passwordSet ?? false, "password", msg("validation.profile.passwordRequired"));
  if (useSameForOutgoing) {
    if (!userName || !incoming) return null;
    return { credentialMode: "profile", userName, password: incoming, useSameForOutgoing, outgoingUserName: null, outgoingPassword: { kind: "clear" } };
  }
  if (!outgoingUserName) required("outgoingUserName", withHttps(msg("validation.profile.outgoingUserNameRequired")));
  const outgoing = passwordChange(
    outgoingPassword,
    v.clearOutgoingPassword,
    existing?.outgoingPasswordSet ?? false,
    "outgoingPassword",
    msg("validation.profile.outgoingPasswordRequired"),
  );
  if (!userName || !incoming || !outgoingUserName || !outgoing) return null;
  return { credentialMode: "profile", userName, password: incoming, useSameForOutgoing, outgoingUserName, outgoingPassword: outgoing };
}

type Location = Pick<ProfileInput, "serverType" | "incomingProtocol" | "incomingHost" | "outgoingHost" | "incomingPort" | "outgoingPort" | "incomingTls" | "outgoingTls">;

function checkLocation(v: Partial<Fields> & { oauthCloud: "usgov" | "china" | null }, policy: ProfilePolicy, fail: Fail): Location | null {
  if (!v.serverType || !v.incomingProtocol || !("incomingPort" in v) || !("outgoingPort" in v)) return null;
  const filled = fillProfileDefaults({
    serverType: v.serverType,
    incomingProtocol: v.incomingProtocol,
    incomingHost: v.incomingHost ?? "",
    outgoingHost: v.outgoingHost ?? "",
    incomingPort: v.incomingPort ?? null,
    outgoingPort: v.outgoingPort ?? null,
    incomingTls: v.incomingTls ?? false,
    outgoingTls: v.outgoingTls ?? false,
    oauthCloud: v.oauthCloud,
  });
  const incomingHost = checkHost(filled.incomingHost, "incomingHost", "incoming", fail);
  const outgoingHost = checkHost(filled.outgoingHost, "outgoingHost", "outgoing", fail);
  const allowed = policy.allowedPorts;
  if (allowed) {
    const refuse = (field: ProfileFormField, port: number) =>
      fail(field, msg(v.serverType && hasFixedServers(v.serverType) ? "validation.profile.portNotAllowedFixed" : "validation.profile.portNotAllowed", { port, allowed: allowed.join(", ") }));
    if (!allowed.includes(filled.incomingPort)) refuse("incomingPort", filled.incomingPort);
    if (!allowed.includes(filled.outgoingPort)) refuse("outgoingPort", filled.outgoingPort);
  }
  if (incomingHost === null || outgoingHost === null) return null;
  const { oauthCloud: _cloud, ...location } = filled;
  return { ...location, incomingHost, outgoingHost };
}

function checkHost(value: string, field: "incomingHost" | "outgoingHost", side: "incoming" | "outgoing", fail: Fail): string | null {
  if (!value) {
    fail(field, msg("validation.profile.hostRequired", { sideKey: `common.side.${side}`, example: `${side === "incoming" ? "imap" : "smtp"}.example.com` }));
    return null;
  }
  const host = normaliseHost(value);
  if (host === null) {
    fail(field, msg("validation.profile.hostInvalid", { value }));
  }
  return host;
}

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

/** Lower-cased DNS name or IP literal (IPv6 without brackets), or null when it is neither. */
export function normaliseHost(value: string): string | null {
  let host = value.trim().toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (ipv4.safeParse(host).success || ipv6.safeParse(host).success) return host;
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return null;
  const labels = host.split(".");
  if (!labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return null;
  // An all-digit last label is a mistyped IPv4 address (999.1.1.1), not a name.
  if (/^\d+$/.test(labels[labels.length - 1])) return null;
  return host;
}
