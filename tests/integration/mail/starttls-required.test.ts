// Without "Use SSL/TLS", STARTTLS is required (issue 13): a server that offers none, or a man
// in the middle who strips it from the announcements, gets no password in the clear — unless
// the profile allows unencrypted connections. A recording proxy sees every byte the app sends.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { testIncomingConnection, type IncomingTestSettings } from "../../../lib/mail/test-incoming";
import { testOutgoingConnection, type OutgoingTestSettings } from "../../../lib/mail/test-outgoing";
import { startDovecot, type Dovecot } from "../../harness/dovecot";
import { startDowngradeProxy, type DowngradeProxy } from "../../harness/downgrade-proxy";
import { startSmtpServer, type TestSmtp } from "../../harness/smtp";

const USER = "alice";
const PASSWORD = "Plain-Text-Never-42";

let dovecot: Dovecot;
let plainDovecot: Dovecot;
let smtp: TestSmtp;
let plainSmtp: TestSmtp;
const proxies: DowngradeProxy[] = [];

beforeAll(async () => {
  [dovecot, plainDovecot] = await Promise.all([startDovecot(), startDovecot({ noTls: true })]);
  for (const d of [dovecot, plainDovecot]) await d.addUser(USER, PASSWORD);
  smtp = await startSmtpServer({ pki: dovecot.pki, users: { [USER]: PASSWORD } });
  plainSmtp = await startSmtpServer({ pki: dovecot.pki, users: { [USER]: PASSWORD }, noStartTls: true });
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all([smtp?.stop(), plainSmtp?.stop()]);
  await Promise.all([dovecot?.destroy(), plainDovecot?.destroy()]);
});

async function proxy(port: number, stripStartTls: boolean): Promise<DowngradeProxy> {
  const p = await startDowngradeProxy({ host: "127.0.0.1", port }, { stripStartTls });
  proxies.push(p);
  return p;
}

/** Whether the password crossed the wire readable: as typed, or base64 in any SASL form. */
function leaked(bytes: Buffer): boolean {
  const text = bytes.toString("latin1");
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  return [PASSWORD, b64(PASSWORD), b64(`\0${USER}\0${PASSWORD}`), b64(`${USER}\0${USER}\0${PASSWORD}`)].some((form) => text.includes(form));
}

const incoming = (protocol: "imap" | "pop3", port: number, over: Partial<IncomingTestSettings> = {}): IncomingTestSettings => ({
  protocol,
  host: "127.0.0.1",
  port,
  tls: false,
  authMethod: "auto",
  auth: { user: USER, pass: PASSWORD },
  ca: dovecot.pki.caPem,
  timeoutMs: 5000,
  ...over,
});
const outgoing = (port: number, over: Partial<OutgoingTestSettings> = {}): OutgoingTestSettings => ({
  host: "127.0.0.1",
  port,
  tls: false,
  authMethod: "auto",
  auth: { user: USER, pass: PASSWORD },
  ca: dovecot.pki.caPem,
  timeoutMs: 5000,
  ...over,
});

describe("a server that offers no STARTTLS", () => {
  test.each(["imap", "pop3"] as const)("%s: refused before any credential is sent, pointing at 'Use SSL/TLS'", async (protocol) => {
    const p = await proxy(plainDovecot.ports[protocol], false);
    const r = await testIncomingConnection(incoming(protocol, p.port));
    expect(r).toMatchObject({ ok: false, error: { kind: "permanent", code: "protocol_not_offered", field: "incomingTls" } });
    expect(leaked(p.clientBytes())).toBe(false);
  });

  test("smtp: refused before AUTH", async () => {
    const p = await proxy(plainSmtp.ports.starttls, false);
    const before = plainSmtp.authCount;
    const r = await testOutgoingConnection(outgoing(p.port));
    expect(r).toMatchObject({ ok: false, error: { kind: "permanent", code: "protocol_not_offered", field: "outgoingTls" } });
    expect(plainSmtp.authCount).toBe(before);
    expect(leaked(p.clientBytes())).toBe(false);
  });

  test("with the profile's 'allow unencrypted connections', all three sign in over the plain connection", async () => {
    for (const protocol of ["imap", "pop3"] as const) {
      expect(await testIncomingConnection(incoming(protocol, plainDovecot.ports[protocol], { allowUnencrypted: true })), protocol).toMatchObject({ ok: true });
    }
    expect(await testOutgoingConnection(outgoing(plainSmtp.ports.starttls, { allowUnencrypted: true }))).toMatchObject({ ok: true });
  });
});

describe("a man in the middle who strips STARTTLS from the announcements", () => {
  test("imap: refused, the password never crosses in the clear", async () => {
    const p = await proxy(dovecot.ports.imap, true);
    const r = await testIncomingConnection(incoming("imap", p.port));
    expect(r).toMatchObject({ ok: false, error: { code: "protocol_not_offered", field: "incomingTls" } });
    expect(leaked(p.clientBytes())).toBe(false);
  });

  test("pop3 and smtp ask for TLS anyway and sign in encrypted", async () => {
    const pop3 = await proxy(dovecot.ports.pop3, true);
    expect(await testIncomingConnection(incoming("pop3", pop3.port))).toMatchObject({ ok: true, detail: expect.stringMatching(/over STLS/) });
    expect(leaked(pop3.clientBytes())).toBe(false);
    const submission = await proxy(smtp.ports.starttls, true);
    expect(await testOutgoingConnection(outgoing(submission.port))).toMatchObject({ ok: true });
    expect(leaked(submission.clientBytes())).toBe(false);
  });
});
