import type net from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { createTestPki, type TestPki } from "./tls";

/** One message the test SMTP server accepted. */
export type ReceivedMail = {
  /** MAIL FROM address ("" for the null sender). */
  from: string;
  /** RCPT TO addresses, in order. */
  to: string[];
  /** The message exactly as sent after DATA (dot-unstuffed). */
  raw: Buffer;
  /** The login that sent it. */
  user: string | undefined;
};

/**
 * A real SMTP submission server (npm smtp-server) in this process: one port offering STARTTLS,
 * one with implicit TLS, AUTH PLAIN/LOGIN required (and only over TLS), certificates from `pki`;
 * with `oauth`, AUTH XOAUTH2 whose tokens are checked by introspection (tests/harness/oauth-server.ts).
 */
export type TestSmtp = {
  host: "127.0.0.1";
  ports: { starttls: number; tls: number };
  pki: TestPki;
  /** The logins it accepts (login → password). */
  users: Record<string, string>;
  /** Accepted messages, oldest first; clear with `received.length = 0`. */
  received: ReceivedMail[];
  /** The next `count` messages are refused with `code` (4xx or 5xx) and `message` once DATA ends. */
  failNext(count: number, code: number, message: string): void;
  /** AUTH attempts so far, successful or not. */
  readonly authCount: number;
  stop(): Promise<void>;
};

/** Used when `startSmtpServer` gets no `users`. */
export const DEFAULT_SMTP_USERS: Readonly<Record<string, string>> = { sender: "sender-password" };

/**
 * Starts the test SMTP server on two free loopback ports. Call `stop()` in afterAll.
 * Note: smtp-server always waits 100 ms before its greeting (early-talker check, not configurable).
 */
export async function startSmtpServer(opts: { pki?: TestPki; users?: Record<string, string>; oauth?: { introspectionUrl: string }; noStartTls?: boolean } = {}): Promise<TestSmtp> {
  const pki = opts.pki ?? createTestPki();
  const users = { ...(opts.users ?? DEFAULT_SMTP_USERS) };
  const received: ReceivedMail[] = [];
  let authCount = 0;
  let failures: { remaining: number; code: number; message: string } = { remaining: 0, code: 0, message: "" };

  const options = (secure: boolean): SMTPServerOptions => ({
    secure,
    // `noStartTls`: the plain port offers no STARTTLS and takes passwords in the clear (a server the app must not trust blindly).
    ...(opts.noStartTls && !secure ? { disabledCommands: ["STARTTLS"], allowInsecureAuth: true } : {}),
    key: pki.keyPem,
    cert: pki.certPem,
    // With `oauth`, XOAUTH2 too: each access token is checked by the test OAuth server's introspection shim.
    authMethods: opts.oauth ? ["PLAIN", "LOGIN", "XOAUTH2"] : ["PLAIN", "LOGIN"],
    authOptional: false,
    // A reverse DNS lookup of 127.0.0.1 per connection only slows tests down.
    disableReverseLookup: true,
    // stop() must not wait the default 30 s for a client that left a connection open.
    closeTimeout: 100,
    logger: false,
    onAuth(auth, _session, callback) {
      authCount++;
      const username = auth.username ?? "";
      if (auth.method === "XOAUTH2" && opts.oauth) {
        const form = new URLSearchParams({ token: auth.accessToken ?? "", user: username });
        fetch(opts.oauth.introspectionUrl, { method: "POST", body: form })
          .then((res) => res.json() as Promise<{ active?: boolean; username?: string }>)
          .then((answer) => {
            if (answer.active && answer.username?.toLowerCase() === username.toLowerCase()) callback(null, { user: username });
            // What Gmail and Exchange Online answer to a refused token.
            else callback(Object.assign(new Error("5.7.3 Authentication unsuccessful"), { responseCode: 535 }));
          })
          .catch((err: Error) => callback(Object.assign(err, { responseCode: 454 })));
        return;
      }
      if (Object.hasOwn(users, username) && users[username] === auth.password) {
        callback(null, { user: username });
      } else {
        callback(Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (err) => callback(err));
      stream.on("end", () => {
        if (failures.remaining > 0) {
          failures.remaining--;
          callback(Object.assign(new Error(failures.message), { responseCode: failures.code }));
          return;
        }
        const { mailFrom, rcptTo } = session.envelope;
        received.push({
          from: mailFrom ? mailFrom.address : "",
          to: rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          user: typeof session.user === "string" ? session.user : undefined,
        });
        callback(null, "Message accepted");
      });
    },
  });

  const listen = (server: SMTPServer) =>
    new Promise<number>((resolve, reject) => {
      server.on("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        // Client resets and TLS failures are part of what tests provoke; keep them quiet.
        server.on("error", () => {});
        resolve(((server.server as net.Server).address() as net.AddressInfo).port);
      });
    });

  const starttlsServer = new SMTPServer(options(false));
  const tlsServer = new SMTPServer(options(true));
  const [starttls, tlsPort] = await Promise.all([listen(starttlsServer), listen(tlsServer)]);

  return {
    host: "127.0.0.1",
    ports: { starttls, tls: tlsPort },
    pki,
    users,
    received,
    get authCount() {
      return authCount;
    },
    failNext(count, code, message) {
      if (code < 400 || code > 599) throw new Error(`failNext needs a 4xx or 5xx code, got ${code}`);
      failures = { remaining: count, code, message };
    },
    async stop() {
      await Promise.all([starttlsServer, tlsServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
