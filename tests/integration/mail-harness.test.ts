import net from "node:net";
import tls from "node:tls";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDovecot, type Dovecot } from "../harness/dovecot";
import { startSmtpServer, type TestSmtp } from "../harness/smtp";
import { startCountingProxy, startSilentServer } from "../harness/tcp";
import { createTestPki, type TestPki } from "../harness/tls";

// The mail tests of the whole project lean on these services behaving like real servers:
// trusted TLS, real authentication failures, real UIDVALIDITY changes, real outages.

const HOST = "127.0.0.1";

function message(subject: string, date = "Tue, 04 Mar 2025 10:15:00 +0000"): string {
  return [
    "From: Sender <sender@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-ID: <${subject.replace(/\W/g, "")}@example.test>`,
    "",
    `Body of ${subject}.`,
    "",
  ].join("\r\n");
}

function imap(pki: TestPki, port: number, secure: boolean, pass: string, user = "alice") {
  return new ImapFlow({
    host: HOST,
    port,
    secure,
    doSTARTTLS: secure ? undefined : true,
    auth: { user, pass },
    tls: { ca: pki.caPem },
    logger: false,
    connectionTimeout: 5_000,
  });
}

/** Subjects and internal dates of INBOX, in UID order. */
async function listInbox(client: ImapFlow) {
  const lock = await client.getMailboxLock("INBOX");
  try {
    const rows: Array<{ uid: number; subject: string; date: number }> = [];
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const m of client.fetch("1:*", { uid: true, envelope: true, internalDate: true })) {
        rows.push({ uid: m.uid, subject: m.envelope?.subject ?? "", date: new Date(m.internalDate ?? 0).getTime() });
      }
    }
    return rows.sort((a, b) => a.uid - b.uid);
  } finally {
    lock.release();
  }
}

/** UIDVALIDITY and message count of INBOX, from a fresh IMAPS session. */
async function inboxStatus(pki: TestPki, dovecot: Dovecot, pass: string) {
  const client = imap(pki, dovecot.ports.imaps, true, pass);
  await client.connect();
  try {
    const status = await client.status("INBOX", { uidValidity: true, messages: true });
    if (!status) throw new Error("STATUS INBOX failed");
    return { uidValidity: status.uidValidity!, messages: status.messages! };
  } finally {
    await client.logout();
  }
}

/** A minimal POP3 exchange over an already-open socket: send a line, read one reply line. */
function pop3Session(socket: net.Socket | tls.TLSSocket) {
  let buffer = "";
  const waiters: Array<(line: string) => void> = [];
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf("\r\n")) !== -1 && waiters.length > 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      waiters.shift()!(line);
    }
  });
  const readLine = () => new Promise<string>((resolve) => waiters.push(resolve));
  return {
    readLine,
    async command(line: string) {
      const reply = readLine();
      socket.write(`${line}\r\n`);
      return reply;
    },
  };
}

function connectTls(port: number, pki: TestPki): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: HOST, port, ca: pki.caPem }, () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("test PKI", () => {
  it("makes a server certificate that verifies against the CA only, and an untrusted one that does not", async () => {
    const pki = createTestPki();
    const attempt = (cert: { certPem: string; keyPem: string }, ca?: string) =>
      new Promise<string>((resolve) => {
        const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
        server.listen(0, HOST, () => {
          const port = (server.address() as net.AddressInfo).port;
          const socket = tls.connect({ host: HOST, port, ca }, () => {
            socket.destroy();
            server.close();
            resolve("trusted");
          });
          socket.once("error", (err: NodeJS.ErrnoException) => {
            server.close();
            resolve(err.code ?? err.message);
          });
        });
      });
    expect(await attempt(pki, pki.caPem)).toBe("trusted");
    expect(await attempt(pki)).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    expect(await attempt(pki.untrusted, pki.caPem)).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });
});

describe("Dovecot and SMTP test services", () => {
  let pki: TestPki;
  let dovecot: Dovecot;
  let smtp: TestSmtp;

  beforeAll(async () => {
    pki = createTestPki();
    [dovecot, smtp] = await Promise.all([startDovecot({ pki }), startSmtpServer({ pki, users: { sender: "s3cret:pw" } })]);
    await dovecot.addUser("alice", "alice:pa ss");
    await dovecot.addUser("bob", "bob-pass");
  });

  afterAll(async () => {
    await Promise.all([dovecot?.destroy(), smtp?.stop()]);
  });

  it("serves delivered mail over IMAPS with the message date as INTERNALDATE, in delivery order", async () => {
    const explicit = new Date("2024-12-24T18:30:00Z");
    await dovecot.deliver("alice", message("First"));
    await dovecot.deliver("alice", message("Second", "Wed, 05 Mar 2025 08:00:00 +0100"), { date: explicit });
    await dovecot.deliverMany("alice", Array.from({ length: 20 }, (_, i) => message(`Bulk ${i}`)));

    const client = imap(pki, dovecot.ports.imaps, true, "alice:pa ss");
    await client.connect();
    try {
      const rows = await listInbox(client);
      expect(rows.map((r) => r.subject)).toEqual(["First", "Second", ...Array.from({ length: 20 }, (_, i) => `Bulk ${i}`)]);
      expect(rows[0].date).toBe(Date.parse("2025-03-04T10:15:00Z"));
      expect(rows[1].date).toBe(explicit.getTime());
    } finally {
      await client.logout();
    }
  });

  it("logs in over IMAP after STARTTLS", async () => {
    const client = imap(pki, dovecot.ports.imap, false, "alice:pa ss");
    await client.connect();
    try {
      expect(client.secureConnection).toBe(true);
      expect((await listInbox(client)).length).toBe(22);
    } finally {
      await client.logout();
    }
  });

  it("refuses a wrong password or an unknown user with imapflow's authenticationFailed, promptly", async () => {
    // Stock Dovecot 2.3 would hold each failure ~0.5 s and then add a per-IP penalty of 2-15 s
    // to every later login; the harness turns both off so failure tests stay fast.
    const started = Date.now();
    for (const [user, pass] of [["alice", "wrong"], ["alice", "wrong again"], ["nobody", "alice:pa ss"]]) {
      const bad = imap(pki, dovecot.ports.imaps, true, pass, user);
      const err = await bad.connect().then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ authenticationFailed: true });
      bad.close();
    }
    const good = imap(pki, dovecot.ports.imaps, true, "alice:pa ss");
    await good.connect();
    await good.logout();
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it("applies a new password to the very next login, and a user added just now can log in", async () => {
    // Dovecot 2.3 re-reads a passwd-file at most once a second; a login right before the change
    // is what would expose that.
    const before = imap(pki, dovecot.ports.imaps, true, "bob-pass", "bob");
    await before.connect();
    await before.logout();
    await dovecot.setPassword("bob", "bob-new");
    await dovecot.addUser("carol", "carol-pass");
    const carol = imap(pki, dovecot.ports.imaps, true, "carol-pass", "carol");
    await carol.connect();
    await carol.logout();
    const old = imap(pki, dovecot.ports.imaps, true, "bob-pass", "bob");
    expect(await old.connect().then(() => undefined, (e: unknown) => e)).toMatchObject({ authenticationFailed: true });
    old.close();
    const fresh = imap(pki, dovecot.ports.imaps, true, "bob-new", "bob");
    await fresh.connect();
    await fresh.logout();
  });

  it("logs in over POP3S and POP3 with STLS and reports the maildrop with STAT", async () => {
    await dovecot.deliverMany("bob", [message("Pop one"), message("Pop two")]);

    const secure = await connectTls(dovecot.ports.pop3s, pki);
    const s = pop3Session(secure);
    expect(await s.readLine()).toMatch(/^\+OK/);
    expect(await s.command("USER bob")).toMatch(/^\+OK/);
    expect(await s.command("PASS bob-new")).toMatch(/^\+OK/);
    expect(await s.command("STAT")).toMatch(/^\+OK 2 \d+$/);
    expect(await s.command("QUIT")).toMatch(/^\+OK/);
    secure.destroy();

    const plain = net.connect({ host: HOST, port: dovecot.ports.pop3 });
    const p = pop3Session(plain);
    expect(await p.readLine()).toMatch(/^\+OK/);
    expect(await p.command("STLS")).toMatch(/^\+OK/);
    plain.removeAllListeners("data");
    const upgraded = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const t = tls.connect({ socket: plain, host: HOST, ca: pki.caPem }, () => resolve(t));
      t.once("error", reject);
    });
    const u = pop3Session(upgraded);
    expect(await u.command("USER bob")).toMatch(/^\+OK/);
    expect(await u.command("PASS wrong")).toMatch(/^-ERR/);
    upgraded.destroy();
  });

  it("changes UIDVALIDITY on resetUidValidity and keeps the messages", async () => {
    const before = await inboxStatus(pki, dovecot, "alice:pa ss");
    await dovecot.resetUidValidity("alice");

    const after = imap(pki, dovecot.ports.imaps, true, "alice:pa ss");
    await after.connect();
    try {
      const lock = await after.getMailboxLock("INBOX");
      const mailbox = after.mailbox;
      lock.release();
      expect(mailbox && mailbox.uidValidity).toBeGreaterThan(before.uidValidity);
      expect(mailbox && mailbox.exists).toBe(before.messages);
      expect(before.messages).toBe(22);
    } finally {
      await after.logout();
    }
  });

  it("stops (an outage: connections refused) and starts again on the same ports with the same mail, repeatedly", async () => {
    const first = await inboxStatus(pki, dovecot, "alice:pa ss");
    // A session open during the outage hears the server's BYE, as with a real shutdown.
    const session = await connectTls(dovecot.ports.imaps, pki);
    let transcript = "";
    session.setEncoding("utf8");
    session.on("data", (chunk: string) => (transcript += chunk));
    const closed = new Promise<void>((resolve) => session.once("close", () => resolve()));
    session.write('a LOGIN alice "alice:pa ss"\r\n');
    await expect.poll(() => transcript).toMatch(/\r\na OK/);

    for (let round = 0; round < 2; round++) {
      await dovecot.stop();
      const refused = await new Promise<string>((resolve) => {
        const s = net.connect({ host: HOST, port: dovecot.ports.imaps });
        s.once("connect", () => {
          s.destroy();
          resolve("connected");
        });
        s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? ""));
      });
      expect(refused).toBe("ECONNREFUSED");
      if (round === 0) await dovecot.resetUidValidity("alice"); // applied when it starts
      await dovecot.start();
    }
    await closed;
    expect(transcript).toMatch(/\* BYE Server shutting down/);
    const last = await inboxStatus(pki, dovecot, "alice:pa ss");
    expect(last.messages).toBe(first.messages);
    expect(last.uidValidity).toBeGreaterThan(first.uidValidity);
  });

  it("accepts mail over SMTP with STARTTLS and with implicit TLS, recording envelope, bytes and login", async () => {
    const send = (port: number, secure: boolean, subject: string) =>
      nodemailer
        .createTransport({
          host: HOST,
          port,
          secure,
          requireTLS: !secure,
          auth: { user: "sender", pass: "s3cret:pw" },
          tls: { ca: pki.caPem },
        })
        .sendMail({ from: "sender@example.test", to: ["a@example.test", "b@example.test"], subject, text: "hi" });

    await send(smtp.ports.starttls, false, "Via STARTTLS");
    await send(smtp.ports.tls, true, "Via implicit TLS");
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[0]).toMatchObject({ from: "sender@example.test", to: ["a@example.test", "b@example.test"], user: "sender" });
    expect(smtp.received[0].raw.toString()).toContain("Subject: Via STARTTLS");
    expect(smtp.received[1].raw.toString()).toContain("Subject: Via implicit TLS");
  });

  it("rejects a wrong SMTP password with nodemailer's EAUTH and counts the attempt", async () => {
    const before = smtp.authCount;
    const transport = nodemailer.createTransport({
      host: HOST,
      port: smtp.ports.tls,
      secure: true,
      auth: { user: "sender", pass: "wrong" },
      tls: { ca: pki.caPem },
    });
    const err = await transport.verify().then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: "EAUTH", responseCode: 535 });
    expect(smtp.authCount).toBe(before + 1);
  });

  it("refuses the next messages with the reply given to failNext, then accepts again", async () => {
    const transport = nodemailer.createTransport({
      host: HOST,
      port: smtp.ports.tls,
      secure: true,
      auth: { user: "sender", pass: "s3cret:pw" },
      tls: { ca: pki.caPem },
    });
    const mail = { from: "sender@example.test", to: "a@example.test", subject: "Retry me", text: "x" };
    const count = smtp.received.length;
    smtp.failNext(2, 451, "Try again later");
    for (let i = 0; i < 2; i++) {
      const err = await transport.sendMail(mail).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ responseCode: 451 });
    }
    smtp.failNext(1, 554, "Rejected for policy reasons");
    expect(await transport.sendMail(mail).then(() => undefined, (e: unknown) => e)).toMatchObject({ responseCode: 554 });
    await transport.sendMail(mail);
    expect(smtp.received.length).toBe(count + 1);
  });

  it("counts concurrent connections through the counting proxy", async () => {
    const proxy = await startCountingProxy({ host: HOST, port: dovecot.ports.imaps });
    try {
      const clients = [0, 1].map(() => imap(pki, proxy.port, true, "alice:pa ss"));
      await Promise.all(clients.map((c) => c.connect()));
      expect(proxy.current).toBe(2);
      await Promise.all(clients.map((c) => c.logout()));
      await expect.poll(() => proxy.current).toBe(0);
      expect(proxy.maxConcurrent).toBe(2);
    } finally {
      await proxy.stop();
    }
  });

  it("gives a silent server that never greets, so clients time out", async () => {
    const silent = await startSilentServer();
    try {
      const transport = nodemailer.createTransport({ host: HOST, port: silent.port, greetingTimeout: 200, tls: { ca: pki.caPem } });
      const err = await transport.verify().then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: "ETIMEDOUT" });
    } finally {
      await silent.stop();
    }
  });
});
