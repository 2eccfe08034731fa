import net from "node:net";
import tls from "node:tls";

/**
 * An in-process POP3 server for unit tests: the test decides every reply and
 * how its bytes are cut into TCP writes, so split terminators, split CRLFs and
 * byte-by-byte replies reach the client as separate reads.
 */
export type Session = {
  socket: net.Socket;
  /** Writes `data` cut at `pieces` (sizes, repeated), each piece flushed before the next. */
  send(data: string | Buffer, pieces?: number[]): Promise<void>;
  /** Upgrades to TLS (after the test has sent "+OK" to STLS). */
  startTls(): void;
};

export type FakePop3 = {
  port: number;
  /** Every command line received, across sessions (passwords included: this is a test). */
  commands: string[];
  /** Resolves when the server has seen a client disconnect `n` times in total. */
  closed(n?: number): Promise<void>;
  stop(): Promise<void>;
};

export type FakeOptions = {
  /** Greeting line; null = never greet. */
  greeting?: string | null;
  /** Answers one command; return null to stay silent. */
  onCommand(line: string, session: Session): unknown;
  /** TLS from the first byte, or allowed by STLS (startTls). */
  tls?: { key: string; cert: string; implicit: boolean };
};

const flushed = (socket: net.Socket, piece: Buffer) =>
  new Promise<void>((resolve) => socket.write(piece, () => setImmediate(resolve)));

export async function startFakePop3(options: FakeOptions): Promise<FakePop3> {
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  let closes = 0;
  const closeWaiters: Array<{ n: number; resolve: () => void }> = [];

  const serve = (raw: net.Socket) => {
    sockets.add(raw);
    raw.setNoDelay(true);
    let socket: net.Socket = raw;
    let buffer = "";
    raw.on("close", () => {
      sockets.delete(raw);
      closes++;
      for (const w of closeWaiters.filter((w) => closes >= w.n)) w.resolve();
    });
    const session: Session = {
      get socket() {
        return socket;
      },
      async send(data, pieces) {
        const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
        if (!pieces) return flushed(socket, bytes);
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = pieces[i % pieces.length];
          if (socket.destroyed) return;
          await flushed(socket, bytes.subarray(at, at + size));
          at += size;
        }
      },
      startTls() {
        socket.removeAllListeners("data");
        socket = new tls.TLSSocket(raw, { isServer: true, key: options.tls!.key, cert: options.tls!.cert });
        socket.on("error", () => {});
        listen();
      },
    };
    const listen = () =>
      socket.on("data", async (chunk: Buffer) => {
        buffer += chunk.toString("latin1");
        let lf: number;
        while ((lf = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, lf).replace(/\r$/, "");
          buffer = buffer.slice(lf + 1);
          commands.push(line);
          await options.onCommand(line, session);
        }
      });
    socket.on("error", () => {});
    listen();
    if (options.greeting !== null) void session.send(`${options.greeting ?? "+OK fake POP3 ready <1896.697170952@fake.test>"}\r\n`);
  };

  const server = options.tls?.implicit
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, serve)
    : net.createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    commands,
    closed: (n = 1) => new Promise<void>((resolve) => (closes >= n ? resolve() : closeWaiters.push({ n, resolve }))),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Dot-stuffs a message and appends the terminator, as a POP3 server sends it (RFC 1939 §3). */
export function stuff(message: Buffer | string): Buffer {
  const text = (Buffer.isBuffer(message) ? message : Buffer.from(message, "utf8")).toString("latin1");
  const body = text.replace(/(^|\n)\./g, "$1..");
  const ended = body.length === 0 || body.endsWith("\r\n") ? body : `${body}\r\n`;
  return Buffer.from(`${ended}.\r\n`, "latin1");
}
