import { createHash, createHmac } from "node:crypto";
import net from "node:net";
import { Readable } from "node:stream";
import tls from "node:tls";
import { mailTlsOptions, type ExtraCa } from "./tls-options";

/*
 * A small POP3 client (RFC 1939, CAPA/response codes RFC 2449, STLS RFC 2595,
 * RFC 3206 codes, SASL PLAIN/LOGIN/CRAM-MD5 RFC 5034). Written here because the
 * npm clients leave dot-stuffing in and hang when the ".CRLF" terminator splits
 * across TLS reads. Two parts: a byte reader that turns the socket into status
 * lines and dot-unstuffed bodies (DotUnstuffer), and a one-at-a-time command
 * turn (acquireTurn) because POP3 answers strictly in order.
 */

/** How the connection is secured: TLS from the first byte, upgraded with STLS, or not at all. */
export type Pop3Tls = "implicit" | "starttls" | "none";

export interface Pop3ConnectOptions {
  host: string;
  port: number;
  tls: Pop3Tls;
  /** Extra CA(s) to trust besides the system roots (PEM). */
  ca?: ExtraCa;
  /** Budget for TCP connect + TLS handshake + greeting. Default 30 000 ms. */
  timeoutMs?: number;
  /** How long any command may wait without a byte from the server. Default: `timeoutMs`. */
  idleTimeoutMs?: number;
  /** Send credentials over a connection that is not encrypted (the profile allows it). Default: refuse. */
  allowUnencrypted?: boolean;
}

export type Pop3SaslMechanism = "PLAIN" | "LOGIN" | "CRAM-MD5";

/**
 * Every failure of the client. Test the flags, not the message:
 * `code` is "POP3_ERR" for a -ERR reply, "ETIMEDOUT", "ECONNCLOSED", "EPROTOCOL",
 * or the socket/TLS error's own code ("ECONNREFUSED", "DEPTH_ZERO_SELF_SIGNED_CERT", …).
 */
export class Pop3Error extends Error {
  readonly code: string;
  /** The command that failed, without its arguments ("PASS", "RETR", "greeting", "connect"). */
  readonly command?: string;
  /** The server's text after -ERR and any [CODE]. */
  readonly response?: string;
  /** RFC 2449/3206 response code: "IN-USE", "SYS/TEMP", "SYS/PERM", "AUTH", "LOGIN-DELAY", … */
  readonly responseCode?: string;
  /** The server refused the credentials (not merely a busy or broken server). */
  readonly authenticationFailed: boolean;

  constructor(
    message: string,
    init: { code: string; command?: string; response?: string; responseCode?: string; authenticationFailed?: boolean; cause?: unknown },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "Pop3Error";
    this.code = init.code;
    this.command = init.command;
    this.response = init.response;
    this.responseCode = init.responseCode;
    this.authenticationFailed = init.authenticationFailed ?? false;
  }
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CR_BYTE = Buffer.from([CR]);
/** Status lines are short; a server that never ends one is broken or hostile. */
const MAX_STATUS_LINE = 64 * 1024;

/**
 * Undoes dot-stuffing of a multi-line response and finds its ".CRLF" terminator,
 * whatever way the bytes are split into chunks. Message bytes pass through as
 * slices of the input, so a body is never copied or held whole.
 */
export class DotUnstuffer {
  private state: "lineStart" | "dot" | "dotCr" | "midLine" = "lineStart";

  /** Returns the body bytes in `chunk` and, once the terminator is seen, the bytes after it (else `rest` is null). */
  write(chunk: Buffer): { data: Buffer[]; rest: Buffer | null } {
    const data: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.state === "midLine") {
        const lf = chunk.indexOf(LF, i);
        if (lf < 0) {
          data.push(chunk.subarray(i));
          return { data, rest: null };
        }
        data.push(chunk.subarray(i, lf + 1));
        i = lf + 1;
        this.state = "lineStart";
      } else if (this.state === "lineStart") {
        if (chunk[i] === DOT) {
          this.state = "dot";
          i++;
        } else {
          this.state = "midLine";
        }
      } else if (this.state === "dot") {
        if (chunk[i] === CR) {
          this.state = "dotCr";
          i++;
        } else if (chunk[i] === LF) {
          return { data, rest: chunk.subarray(i + 1) }; // ".LF": lenient terminator
        } else {
          this.state = "midLine"; // the leading dot was stuffing: drop it
        }
      } else {
        if (chunk[i] === LF) return { data, rest: chunk.subarray(i + 1) };
        data.push(CR_BYTE); // ".CR" then more: a stuffed line that starts with CR
        this.state = "midLine";
      }
    }
    return { data, rest: null };
  }
}

/** Where the bytes of a multi-line response go. `push` returning false asks the reader to pause. */
type BodySink = { push(chunk: Buffer): boolean; end(): void; fail(err: Error): void };

/** The reply the reader is waiting for. */
type Pending = {
  command: string;
  resolve(text: string): void;
  reject(err: Error): void;
  /** For +OK to a multi-line command: the sink its body goes to. */
  body?: BodySink;
  /** For AUTH: a "+ challenge" continuation resolves too. */
  allowContinuation?: boolean;
};

/** Parses "-ERR [SYS/TEMP] text" into its code and text. */
function parseErr(text: string): { responseCode?: string; response: string } {
  const match = /^\[([^\]]+)\]\s*(.*)$/s.exec(text);
  return match ? { responseCode: match[1].toUpperCase(), response: match[2] } : { response: text };
}

/** Response codes that mean "try later", not "your credentials are wrong" (RFC 2449 §8, RFC 3206). */
const NOT_CREDENTIAL_CODES = new Set(["IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM"]);
const AUTH_COMMANDS = new Set(["USER", "PASS", "APOP", "AUTH"]);

/** A connected POP3 session. Create it with `connectPop3`. Commands run one at a time, in call order. */
export class Pop3Client {
  /** The server's greeting text (after "+OK"). */
  greeting = "";
  /** The APOP timestamp from the greeting ("<…@…>"), if the server offered one. */
  apopTimestamp: string | undefined;

  private socket: net.Socket | tls.TLSSocket | undefined;
  private pending: Pending | undefined;
  private body: { decoder: DotUnstuffer; sink: BodySink } | undefined;
  private partialLine: Buffer[] = [];
  private partialLength = 0;
  private closedError: Pop3Error | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private pausedByConsumer = false;
  /** Set once TCP (and implicit TLS) is up: errors before it are "connect" errors. */
  private transportReady = false;
  private turn: Promise<void> = Promise.resolve();
  /** Set when the last reply was a SASL continuation ("+ …") rather than "+OK". */
  private continued = false;
  private readonly idleTimeoutMs: number;
  private readonly where: string;

  constructor(private readonly options: Pop3ConnectOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? options.timeoutMs ?? 30_000;
    this.where = `${options.host}:${options.port}`;
  }

  /** Whether the session is encrypted (implicit TLS or after STLS). */
  get secure(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** Opens the socket, waits for the greeting, and upgrades with STLS when asked. Used by `connectPop3`. */
  async open(): Promise<void> {
    const { host, port } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const greeting = this.expect("greeting");
    const timer = setTimeout(
      () => this.fail(new Pop3Error(`No POP3 greeting from ${this.where} within ${timeoutMs} ms`, { code: "ETIMEDOUT", command: "greeting" })),
      timeoutMs,
    );
    try {
      let socket: net.Socket;
      try {
        socket = this.options.tls === "implicit" ? tls.connect({ ...mailTlsOptions(host, this.options.ca), port }) : net.connect({ host, port });
      } catch (err) {
        // Bad options (a port out of range) throw at once; report them like any connect failure.
        greeting.catch(() => {});
        throw this.fail(socketError(err, "connect"));
      }
      this.attach(socket);
      socket.once(this.options.tls === "implicit" ? "secureConnect" : "connect", () => (this.transportReady = true));
      const text = await greeting;
      this.greeting = text;
      this.apopTimestamp = /<[^<>\s]+@[^<>\s]+>/.exec(text)?.[0];
    } finally {
      clearTimeout(timer);
    }
    if (this.options.tls === "starttls") await this.stls();
  }

  /** CAPA: the server's capabilities by upper-case name, with their arguments. Empty when CAPA is not supported. */
  async capa(): Promise<Map<string, string[]>> {
    let lines: string[];
    try {
      lines = await this.listing("CAPA", "CAPA");
    } catch (err) {
      if (err instanceof Pop3Error && err.code === "POP3_ERR") return new Map();
      throw err;
    }
    return new Map(lines.filter(Boolean).map((line) => {
      const [name, ...args] = line.split(/\s+/);
      return [name.toUpperCase(), args] as const;
    }));
  }

  /** Upgrades the connection with STLS (RFC 2595). Fails with command "STLS" when the server refuses. */
  async stls(): Promise<void> {
    const release = await this.acquireTurn();
    try {
      await this.send("STLS", "STLS");
      const plain = this.socket!;
      this.detach(plain);
      const secured = tls.connect({ ...mailTlsOptions(this.options.host, this.options.ca), socket: plain });
      const handshake = new Promise<void>((resolve, reject) => {
        secured.once("secureConnect", resolve);
        secured.on("error", reject); // `on`, not `once`: a second error must not go unhandled
      });
      const timer = setTimeout(() => secured.destroy(new Pop3Error(`TLS handshake with ${this.where} timed out`, { code: "ETIMEDOUT", command: "STLS" })), this.idleTimeoutMs);
      try {
        await handshake;
      } catch (err) {
        plain.destroy();
        throw this.fail(socketError(err, "STLS"));
      } finally {
        clearTimeout(timer);
      }
      this.attach(secured);
    } finally {
      release();
    }
  }

  /**
   * Refuses to send credentials that would break out of their command line (CR, LF,
   * NUL: a password "x\r\nDELE 1" would be a second command) or that would cross an
   * unencrypted connection the profile did not allow. Nothing is written then.
   */
  private checkCredentials(command: string, ...values: string[]): void {
    if (values.some((v) => /[\r\n\0]/.test(v))) {
      throw new Pop3Error("The user name or password contains a line break or NUL character; not sent", { code: "EUNSAFECREDENTIALS", command });
    }
    if (!this.secure && !this.options.allowUnencrypted) {
      throw new Pop3Error(`${this.where} is not encrypted (no TLS or STLS); credentials are not sent in the clear`, { code: "ENOTLS", command });
    }
  }

  /** Signs in with USER/PASS. A refusal is a Pop3Error with `authenticationFailed` (unless the server says busy/locked). */
  async login(user: string, password: string): Promise<void> {
    this.checkCredentials("USER", user, password);
    const release = await this.acquireTurn();
    try {
      await this.send(`USER ${user}`, "USER");
      await this.send(`PASS ${password}`, "PASS");
    } finally {
      release();
    }
  }

  /** Signs in with APOP (RFC 1939 §7); needs the greeting's timestamp. */
  async apop(user: string, password: string): Promise<void> {
    if (!this.apopTimestamp) throw new Pop3Error(`${this.where} offers no APOP timestamp`, { code: "EPROTOCOL", command: "APOP" });
    this.checkCredentials("APOP", user, password);
    const digest = createHash("md5").update(this.apopTimestamp + password, "utf8").digest("hex");
    const release = await this.acquireTurn();
    try {
      await this.send(`APOP ${user} ${digest}`, "APOP");
    } finally {
      release();
    }
  }

  /** Signs in with SASL AUTH (RFC 5034): PLAIN, LOGIN or CRAM-MD5. */
  async authenticate(mechanism: Pop3SaslMechanism, user: string, password: string): Promise<void> {
    this.checkCredentials("AUTH", user, password);
    const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
    const release = await this.acquireTurn();
    try {
      if (mechanism === "PLAIN") {
        await this.send("AUTH PLAIN", "AUTH", true);
        await this.send(b64(`\0${user}\0${password}`), "AUTH");
      } else if (mechanism === "LOGIN") {
        await this.send("AUTH LOGIN", "AUTH", true);
        await this.send(b64(user), "AUTH", true);
        await this.send(b64(password), "AUTH");
      } else {
        const challenge = Buffer.from(await this.send("AUTH CRAM-MD5", "AUTH", true), "base64");
        const digest = createHmac("md5", password).update(challenge).digest("hex");
        await this.send(b64(`${user} ${digest}`), "AUTH");
      }
    } finally {
      release();
    }
  }

  /**
   * Signs in with an OAuth 2.0 access token: SASL XOAUTH2 (Google, Microsoft) or
   * OAUTHBEARER (RFC 7628). The response goes after the server's "+" rather than
   * as an initial response, which could exceed POP3's 255-octet command line. A
   * refused token gets a "+ <base64 JSON>" error challenge first, which the client
   * must answer with an empty line; the "-ERR" that follows is the refusal.
   */
  async authenticateOAuth(mechanism: "XOAUTH2" | "OAUTHBEARER", user: string, accessToken: string): Promise<void> {
    this.checkCredentials("AUTH", user, accessToken);
    const response =
      mechanism === "XOAUTH2" ? `user=${user}\x01auth=Bearer ${accessToken}\x01\x01` : `n,a=${user.replace(/=/g, "=3D").replace(/,/g, "=2C")},\x01auth=Bearer ${accessToken}\x01\x01`;
    const release = await this.acquireTurn();
    try {
      await this.send(`AUTH ${mechanism}`, "AUTH", true);
      this.continued = false;
      await this.send(Buffer.from(response, "utf8").toString("base64"), "AUTH", true);
      if (this.continued) await this.send("", "AUTH");
    } finally {
      release();
    }
  }

  /** STAT: number of messages and their total size in octets. */
  async stat(): Promise<{ count: number; size: number }> {
    const release = await this.acquireTurn();
    try {
      const text = await this.send("STAT", "STAT");
      const [count, size] = text.split(/\s+/).map(Number);
      if (!Number.isInteger(count) || !Number.isInteger(size)) throw this.protocolError("STAT", text);
      return { count, size };
    } finally {
      release();
    }
  }

  /** DELE: marks message `n` deleted; the server deletes it only when QUIT ends the session (RFC 1939). */
  async dele(n: number): Promise<void> {
    const release = await this.acquireTurn();
    try {
      await this.send(`DELE ${n}`, "DELE");
    } finally {
      release();
    }
  }

  /** UIDL for every message: its number in this session and its persistent unique id. */
  async uidl(): Promise<{ n: number; uidl: string }[]> {
    return (await this.listing("UIDL", "UIDL")).filter(Boolean).map((line) => {
      const [n, uidl] = line.split(/\s+/);
      if (!/^\d+$/.test(n) || !uidl) throw this.protocolError("UIDL", line);
      return { n: Number(n), uidl };
    });
  }

  /** LIST for every message: its number and size in octets. */
  async list(): Promise<{ n: number; size: number }[]> {
    return (await this.listing("LIST", "LIST")).filter(Boolean).map((line) => {
      const [n, size] = line.split(/\s+/);
      if (!/^\d+$/.test(n) || !/^\d+$/.test(size)) throw this.protocolError("LIST", line);
      return { n: Number(n), size: Number(size) };
    });
  }

  /**
   * RETR: the message's bytes, dot-unstuffed, as a stream. It resolves as soon as
   * the server says +OK; later commands wait until the stream has ended. A stream
   * destroyed early is drained in the background so the session stays usable.
   */
  retr(n: number): Promise<Readable> {
    return this.streamBody(`RETR ${n}`, "RETR");
  }

  /** TOP: the headers and the first `lines` body lines of a message, as a stream (see `retr`). */
  top(n: number, lines: number): Promise<Readable> {
    return this.streamBody(`TOP ${n} ${lines}`, "TOP");
  }

  /** QUIT: ends the session politely and closes the socket. */
  async quit(): Promise<void> {
    const release = await this.acquireTurn();
    try {
      await this.send("QUIT", "QUIT");
    } finally {
      release();
      this.close();
    }
  }

  /** Closes the socket now; anything pending fails with ECONNCLOSED. Safe to call twice. */
  close(): void {
    if (!this.closedError) this.fail(new Pop3Error(`Connection to ${this.where} closed by the client`, { code: "ECONNCLOSED" }));
  }

  // ---- command turns ------------------------------------------------------

  /** Waits until every earlier command (including its body) is done; returns the release for this one. */
  private async acquireTurn(): Promise<() => void> {
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }

  /** Runs a multi-line command whose body is a list of lines. */
  private async listing(line: string, command: string): Promise<string[]> {
    const release = await this.acquireTurn();
    try {
      const chunks: Buffer[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const sink: BodySink = { push: (c) => (chunks.push(c), true), end: resolve, fail: reject };
        this.send(line, command, false, sink).catch(reject);
      });
      await done;
      return Buffer.concat(chunks).toString("utf8").split(/\r?\n/).slice(0, -1);
    } finally {
      release();
    }
  }

  private async streamBody(line: string, command: string): Promise<Readable> {
    const release = await this.acquireTurn();
    let ended = false;
    const stream = new Readable({
      read: () => this.resumeForConsumer(),
    });
    const sink: BodySink = {
      push: (chunk) => (stream.destroyed ? true : stream.push(chunk)),
      end: () => {
        ended = true;
        if (!stream.destroyed) stream.push(null);
        release();
      },
      fail: (err) => {
        ended = true;
        // Deferred so a caller still awaiting retr() has attached its listeners first.
        setImmediate(() => stream.destroy(err));
        release();
      },
    };
    // A consumer that gives up early: keep reading (and dropping) to the terminator.
    stream.once("close", () => {
      if (!ended) this.resumeForConsumer();
    });
    try {
      await this.send(line, command, false, sink);
    } catch (err) {
      release();
      throw err;
    }
    return stream;
  }

  /** Writes one command line and waits for its status reply. Resolves with the text after "+OK" (or after "+ " for a continuation). */
  private send(line: string, command: string, allowContinuation = false, body?: BodySink): Promise<string> {
    const reply = this.expect(command, allowContinuation, body);
    if (this.closedError) return reply;
    this.socket?.write(`${line}\r\n`);
    this.armIdle();
    return reply;
  }

  private expect(command: string, allowContinuation = false, body?: BodySink): Promise<string> {
    if (this.closedError) {
      return Promise.reject(new Pop3Error(`Connection to ${this.where} is closed`, { code: "ECONNCLOSED", command, cause: this.closedError }));
    }
    return new Promise<string>((resolve, reject) => {
      this.pending = { command, resolve, reject, body, allowContinuation };
    });
  }

  private protocolError(command: string, text: string): Pop3Error {
    return new Pop3Error(`Unexpected reply from ${this.where} to ${command}: ${text.slice(0, 200)}`, { code: "EPROTOCOL", command, response: text });
  }

  // ---- the byte reader ----------------------------------------------------

  private attach(socket: net.Socket | tls.TLSSocket): void {
    this.socket = socket;
    socket.on("data", this.onData);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
  }

  private detach(socket: net.Socket): void {
    socket.off("data", this.onData);
    socket.off("error", this.onError);
    socket.off("close", this.onClose);
  }

  private onError = (err: Error) => {
    this.fail(socketError(err, this.transportReady ? (this.pending?.command ?? "connect") : "connect"));
  };

  private onClose = () => {
    const during = this.body ? ` during ${this.pending?.command ?? "a reply"}` : this.pending ? ` while waiting for the ${this.pending.command} reply` : "";
    this.fail(new Pop3Error(`${this.where} closed the connection${during}`, { code: "ECONNCLOSED", command: this.pending?.command }));
  };

  private onData = (chunk: Buffer) => {
    this.armIdle();
    let rest: Buffer | null = chunk;
    while (rest && rest.length > 0 && !this.closedError) {
      if (this.body) rest = this.readBody(rest);
      else rest = this.readStatusLine(rest);
    }
  };

  /** Feeds body bytes to the sink; returns what follows the terminator, or null when the body goes on. */
  private readBody(chunk: Buffer): Buffer | null {
    const body = this.body!;
    const { data, rest } = body.decoder.write(chunk);
    let wantsMore = true;
    for (const piece of data) if (piece.length > 0) wantsMore = body.sink.push(piece) && wantsMore;
    if (rest === null) {
      if (!wantsMore) this.pauseForConsumer();
      return null;
    }
    this.body = undefined;
    this.pending = undefined;
    this.resumeForConsumer();
    this.disarmIdle();
    body.sink.end();
    return rest;
  }

  /** Collects one status line; returns the bytes after it, or null when the line is not complete yet. */
  private readStatusLine(chunk: Buffer): Buffer | null {
    const lf = chunk.indexOf(LF);
    if (lf < 0) {
      this.partialLine.push(chunk);
      this.partialLength += chunk.length;
      if (this.partialLength > MAX_STATUS_LINE) this.fail(this.protocolError(this.pending?.command ?? "greeting", "status line too long"));
      return null;
    }
    const line = Buffer.concat([...this.partialLine, chunk.subarray(0, lf)]).toString("utf8").replace(/\r$/, "");
    this.partialLine = [];
    this.partialLength = 0;
    this.onStatusLine(line);
    return chunk.subarray(lf + 1);
  }

  private onStatusLine(line: string): void {
    const pending = this.pending;
    if (!pending) return; // unsolicited line: nothing is waiting, ignore it
    if (line.startsWith("+OK")) {
      const text = line.slice(3).trim();
      if (pending.body) {
        this.body = { decoder: new DotUnstuffer(), sink: pending.body };
      } else {
        this.pending = undefined;
        this.disarmIdle();
      }
      pending.resolve(text);
    } else if (line.startsWith("-ERR")) {
      this.pending = undefined;
      this.disarmIdle();
      const { responseCode, response } = parseErr(line.slice(4).trim());
      const authenticationFailed = AUTH_COMMANDS.has(pending.command) && !(responseCode && NOT_CREDENTIAL_CODES.has(responseCode));
      const err = new Pop3Error(`${this.where} refused ${pending.command}: ${responseCode ? `[${responseCode}] ` : ""}${response}`, {
        code: "POP3_ERR",
        command: pending.command,
        response,
        responseCode,
        authenticationFailed,
      });
      pending.reject(err);
      if (pending.command === "greeting") this.fail(err);
    } else if (pending.allowContinuation && (line === "+" || line.startsWith("+ "))) {
      this.continued = true;
      this.pending = undefined;
      this.disarmIdle();
      pending.resolve(line.slice(2));
    } else {
      this.fail(this.protocolError(pending.command, line));
    }
  }

  // ---- flow control and timeouts -----------------------------------------

  private pauseForConsumer(): void {
    this.pausedByConsumer = true;
    this.disarmIdle(); // a slow reader is not a silent server
    this.socket?.pause();
  }

  private resumeForConsumer(): void {
    if (!this.pausedByConsumer || this.closedError) return;
    this.pausedByConsumer = false;
    this.armIdle();
    this.socket?.resume();
  }

  /** (Re)starts the idle timer while something waits for the server. */
  private armIdle(): void {
    this.disarmIdle();
    if (!this.pending || this.pausedByConsumer) return;
    const command = this.pending.command;
    this.idleTimer = setTimeout(() => {
      this.fail(new Pop3Error(`${this.where} did not answer ${command} within ${this.idleTimeoutMs} ms`, { code: "ETIMEDOUT", command }));
    }, this.idleTimeoutMs);
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Ends the session with `err`: fails whatever waits, destroys the socket. Returns `err`. */
  private fail(err: Pop3Error): Pop3Error {
    if (this.closedError) return err;
    this.closedError = err;
    this.disarmIdle();
    const { pending, body } = this;
    this.pending = undefined;
    this.body = undefined;
    body?.sink.fail(err);
    pending?.reject(err);
    this.socket?.destroy();
    return err;
  }
}

/** Wraps a socket, DNS or TLS error, keeping its code ("ECONNREFUSED", "CERT_HAS_EXPIRED", …). */
function socketError(err: unknown, command: string): Pop3Error {
  if (err instanceof Pop3Error) return err;
  const e = err as NodeJS.ErrnoException;
  return new Pop3Error(e?.message ?? String(err), { code: e?.code ?? "ESOCKET", command, cause: err });
}

/**
 * Connects to a POP3 server: TCP (or implicit TLS), greeting, and STLS when
 * `tls` is "starttls". Fails with a Pop3Error; the socket is destroyed on failure.
 */
export async function connectPop3(options: Pop3ConnectOptions): Promise<Pop3Client> {
  const client = new Pop3Client(options);
  try {
    await client.open();
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}
