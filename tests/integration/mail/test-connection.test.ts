import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { testIncomingConnection, type IncomingTestSettings } from "../../../lib/mail/test-incoming";
import { testOutgoingConnection, type OutgoingTestSettings } from "../../../lib/mail/test-outgoing";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";
import { closedPort as findClosedPort, startSilentServer } from "../../harness/tcp";
import type { Message } from "../../../lib/i18n/message";
import { english } from "../../harness/english";

let dovecot: Dovecot;
let smtp: TestSmtp;
let silent: { port: number; stop: () => Promise<void> };
let closedPort: number;

const PASSWORD = "alice-Secret-42";

beforeAll(async () => {
  dovecot = await startDovecot();
  await dovecot.addUser("alice", PASSWORD);
  await dovecot.deliver("alice", "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n");
  smtp = await startSmtpServer({ pki: dovecot.pki, users: { alice: PASSWORD } });
  silent = await startSilentServer();
  closedPort = await findClosedPort();
});
afterAll(async () => {
  await silent?.stop();
  await smtp?.stop();
  await dovecot?.destroy();
});

const incoming = (over: Partial<IncomingTestSettings>): IncomingTestSettings => ({
  protocol: "imap",
  host: dovecot.host,
  port: dovecot.ports.imaps,
  tls: true,
  authMethod: "auto",
  auth: { user: "alice", pass: PASSWORD },
  ca: dovecot.pki.caPem,
  timeoutMs: 5000,
  ...over,
});
const outgoing = (over: Partial<OutgoingTestSettings>): OutgoingTestSettings => ({
  host: smtp.host,
  port: smtp.ports.starttls,
  tls: false,
  authMethod: "auto",
  auth: { user: "alice", pass: PASSWORD },
  ca: smtp.pki.caPem,
  timeoutMs: 5000,
  ...over,
});

describe("success", () => {
  test.each([
    ["IMAPS", () => incoming({}), /IMAP .* over TLS; INBOX opened read-only: 1 message/],
    ["IMAP + STARTTLS", () => incoming({ port: dovecot.ports.imap, tls: false }), /over STARTTLS; INBOX opened read-only: 1 message/],
    ["IMAPS with AUTH=PLAIN", () => incoming({ authMethod: "plain" }), /over TLS/],
    ["IMAPS with AUTH=LOGIN", () => incoming({ authMethod: "login" }), /over TLS/],
    ["POP3S", () => incoming({ protocol: "pop3", port: dovecot.ports.pop3s }), /POP3 .* over TLS; STAT: 1 message/],
    ["POP3 + STLS", () => incoming({ protocol: "pop3", port: dovecot.ports.pop3, tls: false }), /over STLS; STAT: 1 message/],
    ["POP3S with SASL PLAIN", () => incoming({ protocol: "pop3", port: dovecot.ports.pop3s, authMethod: "plain" }), /over TLS/],
  ])("incoming: %s", async (_name, settings, detail) => {
    const result = await testIncomingConnection(settings());
    expect(result).toEqual({ ok: true, detail: expect.stringMatching(detail) });
  });

  test.each([
    ["SMTP + STARTTLS", () => outgoing({})],
    ["SMTP implicit TLS", () => outgoing({ port: smtp.ports.tls, tls: true })],
    ["SMTP with AUTH LOGIN", () => outgoing({ authMethod: "login" })],
  ])("outgoing: %s", async (_name, settings) => {
    const before = smtp.authCount;
    const result = await testOutgoingConnection(settings());
    expect(result).toEqual({ ok: true, detail: expect.stringContaining("no mail sent") });
    expect(smtp.authCount).toBe(before + 1); // it really authenticated
    expect(smtp.received).toHaveLength(0);
  });
});

describe("failures are classified with the field at fault", () => {
  const cases: Array<[string, () => Promise<unknown>, { kind: string; code: string; field: string | null }]> = [
    ["IMAP wrong password", () => testIncomingConnection(incoming({ auth: { user: "alice", pass: "wrong" } })), { kind: "permanent", code: "auth_failed", field: "userName" }],
    ["POP3 wrong password", () => testIncomingConnection(incoming({ protocol: "pop3", port: dovecot.ports.pop3s, auth: { user: "alice", pass: "wrong" } })), { kind: "permanent", code: "auth_failed", field: "userName" }],
    ["SMTP wrong password", () => testOutgoingConnection(outgoing({ auth: { user: "alice", pass: "wrong" } })), { kind: "permanent", code: "auth_failed", field: "userName" }],
    ["IMAP unknown host", () => testIncomingConnection(incoming({ host: "no-such-host.invalid" })), { kind: "permanent", code: "host_not_found", field: "incomingHost" }],
    ["SMTP unknown host", () => testOutgoingConnection(outgoing({ host: "no-such-host.invalid" })), { kind: "permanent", code: "host_not_found", field: "outgoingHost" }],
    ["IMAP closed port", () => testIncomingConnection(incoming({ port: closedPort })), { kind: "transient", code: "connect_refused", field: "incomingPort" }],
    ["POP3 closed port", () => testIncomingConnection(incoming({ protocol: "pop3", port: closedPort })), { kind: "transient", code: "connect_refused", field: "incomingPort" }],
    ["SMTP closed port", () => testOutgoingConnection(outgoing({ port: closedPort })), { kind: "transient", code: "connect_refused", field: "outgoingPort" }],
    ["IMAP: TLS expected, plain offered", () => testIncomingConnection(incoming({ port: dovecot.ports.imap, tls: true })), { kind: "permanent", code: "tls_handshake_failed", field: "incomingTls" }],
    ["POP3: TLS expected, plain offered", () => testIncomingConnection(incoming({ protocol: "pop3", port: dovecot.ports.pop3, tls: true })), { kind: "permanent", code: "tls_handshake_failed", field: "incomingTls" }],
    ["SMTP: TLS expected, plain offered", () => testOutgoingConnection(outgoing({ tls: true })), { kind: "permanent", code: "tls_handshake_failed", field: "outgoingTls" }],
    ["IMAP: plain expected, TLS offered", () => testIncomingConnection(incoming({ tls: false, timeoutMs: 1500 })), { kind: "transient", code: "timeout", field: "incomingTls" }],
    ["POP3: plain expected, TLS offered", () => testIncomingConnection(incoming({ protocol: "pop3", port: dovecot.ports.pop3s, tls: false, timeoutMs: 1500 })), { kind: "transient", code: "timeout", field: "incomingTls" }],
    ["IMAPS untrusted certificate", () => testIncomingConnection(incoming({ ca: undefined })), { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
    ["IMAP+STARTTLS untrusted certificate", () => testIncomingConnection(incoming({ port: dovecot.ports.imap, tls: false, ca: undefined })), { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
    ["POP3S untrusted certificate", () => testIncomingConnection(incoming({ protocol: "pop3", port: dovecot.ports.pop3s, ca: undefined })), { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
    ["POP3+STLS untrusted certificate", () => testIncomingConnection(incoming({ protocol: "pop3", port: dovecot.ports.pop3, tls: false, ca: undefined })), { kind: "permanent", code: "cert_untrusted", field: "incomingHost" }],
    ["SMTP+STARTTLS untrusted certificate", () => testOutgoingConnection(outgoing({ ca: undefined })), { kind: "permanent", code: "cert_untrusted", field: "outgoingHost" }],
    ["SMTPS untrusted certificate", () => testOutgoingConnection(outgoing({ port: smtp.ports.tls, tls: true, ca: undefined })), { kind: "permanent", code: "cert_untrusted", field: "outgoingHost" }],
    ["IMAP CRAM-MD5 (not in the IMAP library)", () => testIncomingConnection(incoming({ authMethod: "cram-md5" })), { kind: "permanent", code: "protocol_not_offered", field: "incomingAuthMethod" }],
    ["POP3 CRAM-MD5 not offered by the server", () => testIncomingConnection(incoming({ protocol: "pop3", port: dovecot.ports.pop3s, authMethod: "cram-md5" })), { kind: "permanent", code: "protocol_not_offered", field: "incomingAuthMethod" }],
  ];
  test.each(cases)("%s", async (_name, run, expected) => {
    const result = (await run()) as { ok: boolean; error: { kind: string; code: string; field: string | null; message: Message; detail: string } };
    expect(result.ok).toBe(false);
    expect({ kind: result.error.kind, code: result.error.code, field: result.error.field }).toEqual(expected);
    expect(english(result.error.message).length).toBeGreaterThan(20);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  test.each([
    ["IMAP", () => testIncomingConnection(incoming({ port: silent.port, tls: false, timeoutMs: 1500 })), "incomingTls"],
    ["IMAPS", () => testIncomingConnection(incoming({ port: silent.port, tls: true, timeoutMs: 1500 })), "incomingHost"],
    ["POP3", () => testIncomingConnection(incoming({ protocol: "pop3", port: silent.port, tls: false, timeoutMs: 1500 })), "incomingTls"],
    ["SMTP", () => testOutgoingConnection(outgoing({ port: silent.port, tls: false, timeoutMs: 1500 })), "outgoingTls"],
    ["SMTPS", () => testOutgoingConnection(outgoing({ port: silent.port, tls: true, timeoutMs: 1500 })), "outgoingHost"],
  ])("a server that accepts and never greets: %s times out in about timeoutMs", async (_name, run, field) => {
    const started = Date.now();
    const result = (await run()) as { ok: boolean; error: { kind: string; code: string; field: string | null } };
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, error: { kind: "transient", code: "timeout", field } });
    // Not before the timeout (a lower bound the machine's load cannot break), and by the
    // configured 1.5 s, not the 30 s default: well under 10 times it, however loaded the machine.
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(15_000);
  });

  test("messages name the place and what to do", async () => {
    const wrong = await testIncomingConnection(incoming({ auth: { user: "alice", pass: "wrong" }, credentialsFrom: "profile" }));
    expect(wrong).toMatchObject({ ok: false, error: { form: "profile" } });
    expect(wrong.ok || english(wrong.error.message)).toBe("Authentication failed — check the user name and password in the server profile.");
    const refused = await testIncomingConnection(incoming({ port: closedPort }));
    expect(refused.ok || english(refused.error.message)).toBe(`Could not connect to 127.0.0.1:${closedPort} (connection refused) — check the incoming server location and port.`);
  });
});
