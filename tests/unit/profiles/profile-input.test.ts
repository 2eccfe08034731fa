import { expect, test } from "vitest";
import { AppError } from "../../../lib/errors";
import { insecureChannelMessage, normaliseHost, parseProfileInput, type ProfileInputContext } from "../../../lib/profiles/profile-input";
import { english, englishFieldErrors } from "../../harness/english";

const secure: ProfileInputContext = { secureChannel: true, policy: { allowedPorts: null, allowCredentialsOverHttp: false } };

/** What a browser submits for a POP3/SMTP profile with credentials in each mailbox. */
const form = (over: Record<string, string> = {}): Record<string, string> => ({
  name: "Corporate mail",
  description: "",
  ownerId: "",
  serverType: "pop3smtp",
  incomingProtocol: "imap",
  incomingHost: "imap.example.com",
  outgoingHost: "smtp.example.com",
  credentialMode: "mailbox",
  userName: "",
  password: "",
  incomingPort: "",
  outgoingPort: "",
  incomingTls: "on",
  outgoingTls: "on",
  incomingAuthMethod: "auto",
  outgoingAuthMethod: "auto",
  processEmailFrom: "",
  minPollingIntervalMinutes: "",
  maxConnections: "",
  ...over,
});

function fieldErrors(raw: Record<string, unknown> | FormData, context = secure): Record<string, string[]> {
  try {
    parseProfileInput(raw, context);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("invalid");
    return englishFieldErrors((err as AppError).fieldErrors);
  }
  throw new Error("expected the input to be refused");
}

test("a form with blanks gets the usual ports, defaults for interval and connections, and no credentials", () => {
  const p = parseProfileInput(form(), secure);
  expect(p).toMatchObject({
    name: "Corporate mail",
    serverType: "pop3smtp",
    incomingPort: 993,
    outgoingPort: 465,
    incomingTls: true,
    minPollingIntervalMinutes: 5,
    maxConnections: 10,
    credentialMode: "mailbox",
    userName: null,
    password: { kind: "clear" },
    ownerId: null,
    isDefault: false,
    processEmailFrom: undefined,
  });
});

test("FormData is accepted: unticked checkboxes are absent, ticked ones are 'on'", () => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(form({ incomingTls: "", outgoingTls: "", isDefault: "on" }))) if (v !== "") fd.set(k, v);
  const p = parseProfileInput(fd, secure);
  expect(p).toMatchObject({ incomingTls: false, outgoingTls: false, incomingPort: 143, outgoingPort: 587, isDefault: true });
});

test("Gmail ignores typed locations and uses Gmail's", () => {
  const p = parseProfileInput(form({ serverType: "gmail", incomingHost: "", outgoingHost: "", incomingTls: "" }), secure);
  expect(p).toMatchObject({ incomingHost: "imap.gmail.com", incomingPort: 993, incomingTls: true, outgoingHost: "smtp.gmail.com", outgoingPort: 465 });
});

test("name is required; each bad field gets its own message, all at once", () => {
  const errors = fieldErrors(
    form({ name: "  ", incomingPort: "70000", outgoingPort: "abc", minPollingIntervalMinutes: "0", maxConnections: "1001", incomingAuthMethod: "ntlm", serverType: "exchange" }),
  );
  expect(errors.name).toEqual(["Enter a name for the profile."]);
  expect(errors.incomingPort?.[0]).toMatch(/1 to 65535/);
  expect(errors.outgoingPort?.[0]).toMatch(/1 to 65535/);
  expect(errors.minPollingIntervalMinutes?.[0]).toMatch(/1 to 1440 minutes/);
  expect(errors.maxConnections?.[0]).toMatch(/1 to 1000/);
  expect(errors.incomingAuthMethod?.[0]).toMatch(/automatic, PLAIN, LOGIN, CRAM-MD5 or OAuth 2.0/);
  expect(errors.serverType?.[0]).toMatch(/Gmail, Microsoft 365 or POP3\/SMTP/);
});

test("interval and connection limits accept their bounds", () => {
  expect(parseProfileInput(form({ minPollingIntervalMinutes: "1", maxConnections: "1000" }), secure)).toMatchObject({ minPollingIntervalMinutes: 1, maxConnections: 1000 });
  expect(parseProfileInput(form({ minPollingIntervalMinutes: "1440", maxConnections: "1" }), secure)).toMatchObject({ minPollingIntervalMinutes: 1440, maxConnections: 1 });
  expect(fieldErrors(form({ minPollingIntervalMinutes: "1441" })).minPollingIntervalMinutes).toBeDefined();
  expect(fieldErrors(form({ minPollingIntervalMinutes: "2.5" })).minPollingIntervalMinutes).toBeDefined();
});

test("host names must be DNS names or IP literals", () => {
  expect(parseProfileInput(form({ incomingHost: "IMAP.Example.COM.", outgoingHost: "[::1]" }), secure)).toMatchObject({
    incomingHost: "imap.example.com",
    outgoingHost: "::1",
  });
  expect(parseProfileInput(form({ incomingHost: "127.0.0.1", outgoingHost: "mail" }), secure)).toMatchObject({ incomingHost: "127.0.0.1" });
  for (const bad of ["imap://example.com", "example.com:993", "exa mple.com", "-bad.example.com", "999.1.1.1", "a..b", "x".repeat(64) + ".com"]) {
    expect(fieldErrors(form({ incomingHost: bad })).incomingHost?.[0], bad).toMatch(/not a host name or IP address/);
  }
  expect(fieldErrors(form({ outgoingHost: "" })).outgoingHost).toEqual(["Enter the outgoing server's host name, for example smtp.example.com."]);
  expect(normaliseHost("fe80::1")).toBe("fe80::1");
});

test("Windows integrated authentication is refused for POP3 and IMAP with the reason", () => {
  expect(fieldErrors(form({ credentialMode: "windows" })).credentialMode?.[0]).toMatch(/valid only for Exchange\/SMTP server types.*IMAP/);
  expect(fieldErrors(form({ credentialMode: "windows", incomingProtocol: "pop3" })).credentialMode?.[0]).toMatch(/Exchange\/SMTP.*POP3/);
});

test("anonymous is refused as not a valid setting", () => {
  expect(fieldErrors(form({ credentialMode: "anonymous" })).credentialMode?.[0]).toMatch(/not a valid setting/);
});

test("credentials in the profile need a user name and a password", () => {
  const errors = fieldErrors(form({ credentialMode: "profile", useSameForOutgoing: "on" }));
  expect(errors.userName?.[0]).toMatch(/Enter the user name/);
  expect(errors.password?.[0]).toMatch(/password is required/);
  const p = parseProfileInput(form({ credentialMode: "profile", useSameForOutgoing: "on", userName: " relay ", password: " s3cret " }), secure);
  expect(p).toMatchObject({ userName: "relay", password: { kind: "set", value: " s3cret " }, outgoingUserName: null, outgoingPassword: { kind: "clear" } });
});

test("on edit a blank password keeps the stored one; the clear flag removes it only when no password is needed", () => {
  const existing = { userName: "relay", outgoingUserName: null, passwordSet: true, outgoingPasswordSet: false };
  const editing = { ...secure, existing };
  const kept = parseProfileInput(form({ credentialMode: "profile", useSameForOutgoing: "on", userName: "relay" }), editing);
  expect(kept.password).toEqual({ kind: "keep" });
  // Clearing the password the profile needs is refused with what to do instead.
  const errors = fieldErrors(form({ credentialMode: "profile", useSameForOutgoing: "on", userName: "relay", clearPassword: "on" }), editing);
  expect(errors.password?.[0]).toMatch(/Enter a new password instead of clearing it/);
  // A new password wins over the clear flag.
  expect(parseProfileInput(form({ credentialMode: "profile", useSameForOutgoing: "on", userName: "relay", password: "new", clearPassword: "on" }), editing).password).toEqual({ kind: "set", value: "new" });
  // Moving to credentials per mailbox drops the profile's.
  expect(parseProfileInput(form({ credentialMode: "mailbox" }), editing).password).toEqual({ kind: "clear" });
});

test("separate outgoing credentials are required when 'use same settings for outgoing' is off", () => {
  const base = { credentialMode: "profile", userName: "in", password: "pw-in" };
  const errors = fieldErrors(form(base));
  expect(errors.outgoingUserName?.[0]).toMatch(/outgoing \(SMTP\) server/);
  expect(errors.outgoingPassword?.[0]).toMatch(/outgoing \(SMTP\) server is required/);
  const p = parseProfileInput(form({ ...base, outgoingUserName: "out", outgoingPassword: "pw-out" }), secure);
  expect(p).toMatchObject({ useSameForOutgoing: false, outgoingUserName: "out", outgoingPassword: { kind: "set", value: "pw-out" } });
});

test("over plain HTTP, typed user names and passwords are refused with the reason, unless the deployment allows it", () => {
  const insecure: ProfileInputContext = { secureChannel: false, policy: { allowedPorts: null, allowCredentialsOverHttp: false } };
  const typed = form({ credentialMode: "profile", useSameForOutgoing: "on", userName: "relay", password: "s3cret" });
  const errors = fieldErrors(typed, insecure);
  expect(errors.userName).toEqual([english(insecureChannelMessage)]);
  expect(errors.password).toEqual([english(insecureChannelMessage)]);
  expect(english(insecureChannelMessage)).toMatch(/HTTPS.*MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP=1/);
  // Even with per-mailbox credentials, nothing typed is accepted.
  expect(fieldErrors(form({ password: "s3cret" }), insecure).password).toEqual([english(insecureChannelMessage)]);

  const allowed = { ...insecure, policy: { allowedPorts: null, allowCredentialsOverHttp: true } };
  expect(parseProfileInput(typed, allowed).password).toEqual({ kind: "set", value: "s3cret" });

  // Editing other fields over HTTP keeps the stored credentials.
  const existing = { userName: "relay", outgoingUserName: null, passwordSet: true, outgoingPasswordSet: false };
  const edited = parseProfileInput(form({ credentialMode: "profile", useSameForOutgoing: "on", description: "changed" }), { ...insecure, existing });
  expect(edited).toMatchObject({ userName: "relay", password: { kind: "keep" }, description: "changed" });
  // A new profile with credentials in the profile cannot be made over HTTP; the message says why.
  expect(fieldErrors(form({ credentialMode: "profile", useSameForOutgoing: "on" }), insecure).userName?.[0]).toMatch(/plain HTTP/);
});

test("the outbound port policy refuses other ports and names the policy", () => {
  const policy: ProfileInputContext = { secureChannel: true, policy: { allowedPorts: [465, 995], allowCredentialsOverHttp: false } };
  const errors = fieldErrors(form(), policy);
  expect(errors.incomingPort?.[0]).toMatch(/Port 993 is not allowed.*MAILROOM_ALLOWED_PORTS allows only 465, 995/);
  expect(errors.outgoingPort).toBeUndefined();
  expect(parseProfileInput(form({ incomingProtocol: "pop3" }), policy)).toMatchObject({ incomingPort: 995, outgoingPort: 465 });
  expect(fieldErrors(form({ serverType: "gmail" }), policy).incomingPort?.[0]).toMatch(/protocol whose port the policy allows/);
});

test("process email from accepts ISO date-times; a bare local value is read as UTC", () => {
  expect(parseProfileInput(form({ processEmailFrom: "2026-01-31T09:00" }), secure).processEmailFrom?.toISOString()).toBe("2026-01-31T09:00:00.000Z");
  expect(parseProfileInput(form({ processEmailFrom: "2026-01-31T09:00:00+09:00" }), secure).processEmailFrom?.toISOString()).toBe("2026-01-31T00:00:00.000Z");
  expect(fieldErrors(form({ processEmailFrom: "yesterday" })).processEmailFrom?.[0]).toMatch(/date and time/);
});

test("owner must be a user id", () => {
  expect(fieldErrors(form({ ownerId: "alice" })).ownerId?.[0]).toMatch(/Choose the owner/);
});

test("every typed number is decimal digits only: 1e3, 0x3e1, 99.0, +993 and ' 9 9' are refused, not read as numbers", () => {
  for (const typed of ["1e3", "0x3e1", "99.0", "+993", "9 9", "0b1111100001", "Infinity"]) {
    const errors = fieldErrors(form({ incomingPort: typed, outgoingPort: typed, maxConnections: typed, minPollingIntervalMinutes: typed }));
    for (const field of ["incomingPort", "outgoingPort", "maxConnections", "minPollingIntervalMinutes"]) expect(errors[field], `${field} = ${typed}`).toBeDefined();
  }
  expect(parseProfileInput(form({ incomingPort: " 993 " }), secure).incomingPort).toBe(993);
});

test("a NUL anywhere, a line break in a user name or password, and a year the database cannot store are field errors", () => {
  const errors = fieldErrors(
    form({ name: "Sales\u0000", description: "two\nlines are fine", userName: "relay\r\nQUIT", password: "pass\nword", processEmailFrom: "0000-01-01T00:00" }),
  );
  expect(errors.name?.[0]).toMatch(/NUL character/);
  expect(errors.description).toBeUndefined();
  expect(errors.userName?.[0]).toMatch(/line breaks/);
  expect(errors.password?.[0]).toMatch(/line breaks/);
  expect(errors.processEmailFrom?.[0]).toBeDefined();
});

test("after-fetch action: keep by default; move needs its folder (kept only for move); POP3 may only keep or delete", () => {
  expect(parseProfileInput(form(), secure)).toMatchObject({ afterFetchAction: "keep", afterFetchFolder: null });
  expect(parseProfileInput(form({ afterFetchAction: "move", afterFetchFolder: " Archive " }), secure)).toMatchObject({ afterFetchAction: "move", afterFetchFolder: "Archive" });
  expect(parseProfileInput(form({ afterFetchAction: "delete", afterFetchFolder: "Archive" }), secure)).toMatchObject({ afterFetchAction: "delete", afterFetchFolder: null });
  expect(fieldErrors(form({ afterFetchAction: "move" }))).toEqual({ afterFetchFolder: ["Enter the folder to move messages to."] });
  expect(fieldErrors(form({ afterFetchAction: "archive" }))).toEqual({ afterFetchAction: ["Choose what happens to a message after it is fetched."] });
  const pop3 = { incomingProtocol: "pop3", incomingHost: "pop.example.com" };
  expect(parseProfileInput(form({ ...pop3, afterFetchAction: "delete" }), secure)).toMatchObject({ afterFetchAction: "delete" });
  for (const action of ["mark_read", "move"]) {
    expect(fieldErrors(form({ ...pop3, afterFetchAction: action, afterFetchFolder: "Archive" }))).toEqual({ afterFetchAction: ["POP3 can only keep or delete a message after it is fetched."] });
  }
});
