import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { killProcessesOnExit, removeDirOnExit } from "./reap-on-exit";
import { createTestPki, type TestPki } from "./tls";

const execFileAsync = promisify(execFile);

export type DovecotPorts = { imap: number; imaps: number; pop3: number; pop3s: number };

/**
 * A real Dovecot 2.3 (IMAP, IMAPS, POP3, POP3S) on loopback, configured in a temp folder.
 * IMAP and POP3 offer STARTTLS/STLS; all four present `pki`'s server certificate.
 */
export type Dovecot = {
  host: "127.0.0.1";
  ports: DovecotPorts;
  pki: TestPki;
  /** Adds a login (e.g. "alice") with an empty INBOX. */
  addUser(user: string, password: string): Promise<void>;
  /** Changes a login's password; the next login sees it. */
  setPassword(user: string, password: string): Promise<void>;
  /**
   * Puts a message in the user's INBOX as a maildir file (no IMAP round trip). Its IMAP
   * INTERNALDATE is `opts.date`, else the message's Date header, else now.
   * Messages get UIDs in the order they are delivered.
   */
  deliver(user: string, raw: string | Buffer, opts?: DeliverOptions): Promise<void>;
  /** `deliver` for each message, in order. */
  deliverMany(user: string, messages: Array<string | Buffer>, opts?: DeliverOptions): Promise<void>;
  /**
   * Gives every mailbox of the user a new, higher UIDVALIDITY (messages and UIDs stay).
   * The next IMAP session sees it; POP3 UIDLs change too. If Dovecot is stopped, it
   * happens when it starts again.
   */
  resetUidValidity(user: string): Promise<void>;
  /**
   * Stops every Dovecot process: an outage. Open IMAP/POP3 sessions get the server's shutdown
   * BYE, then everything is killed; connecting gets ECONNREFUSED. Mail and users are kept.
   */
  stop(): Promise<void>;
  /** Starts again on the same ports, with the same users and mail. */
  start(): Promise<void>;
  /** stop() and remove the temp folder (also done after the test process exits). */
  destroy(): Promise<void>;
};

export type DeliverOptions = { date?: Date };

/** Where Dovecot checks OAuth tokens: the test server's introspection shim (OAuthServer.introspectionUrl). */
export type DovecotOAuth = { introspectionUrl: string };

type MailOwner = {
  uid: number;
  gid: number;
  internalUser: string;
  /** Only set when not root: Dovecot cannot hand its sockets to the `dovecot` group then. */
  internalGroup?: string;
  loginUser: string;
  root: boolean;
};

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 250;
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._+@-]*$/;

let instanceCounter = 0;
// Microsecond clock for maildir file names: strictly increasing, so Dovecot (which orders
// new maildir files by the time in their name) assigns UIDs in delivery order.
let lastMaildirMicros = 0;
let maildirCounter = 0;

/** Finds a program in PATH or the sbin folders Debian installs daemons into (often not in PATH). */
function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

let programs: { dovecot: string; doveadm: string } | undefined;

/** Locates dovecot and doveadm, installing the Debian packages when running as root. */
function ensureDovecotInstalled(): { dovecot: string; doveadm: string } {
  if (programs) return programs;
  let dovecot = findProgram("dovecot");
  if (!dovecot && process.getuid?.() === 0) {
    try {
      execFileSync("apt-get", ["install", "-y", "dovecot-imapd", "dovecot-pop3d"], {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    } catch (err) {
      throw new Error(
        `Dovecot is missing and \`apt-get install -y dovecot-imapd dovecot-pop3d\` failed: ${(err as Error).message}`,
      );
    }
    dovecot = findProgram("dovecot");
  }
  const doveadm = findProgram("doveadm");
  if (!dovecot || !doveadm) {
    throw new Error(
      "The mail tests need Dovecot 2.3: install the Debian packages dovecot-imapd and dovecot-pop3d " +
        "(sudo apt-get install -y dovecot-imapd dovecot-pop3d).",
    );
  }
  programs = { dovecot, doveadm };
  return programs;
}

/** Who owns the mail. Dovecot refuses uid 0 for mail, so as root the mail belongs to `mail`. */
function mailOwner(): MailOwner {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    const name = os.userInfo().username;
    const gid = process.getgid?.() ?? uid;
    const group = fs.readFileSync("/etc/group", "utf8").split("\n").map((l) => l.split(":")).find((f) => Number(f[2]) === gid);
    if (!group) throw new Error(`Group ${gid} has no name in /etc/group, which rootless Dovecot needs.`);
    return { uid, gid, internalUser: name, internalGroup: group[0], loginUser: name, root: false };
  }
  const passwd = fs.readFileSync("/etc/passwd", "utf8").split("\n").map((l) => l.split(":"));
  const find = (name: string) => passwd.find((f) => f[0] === name);
  const mail = find("mail") ?? find("dovecot");
  if (!mail) throw new Error("Neither a `mail` nor a `dovecot` system user exists to own the test mail.");
  return {
    uid: Number(mail[2]),
    gid: Number(mail[3]),
    internalUser: find("dovecot") ? "dovecot" : mail[0],
    loginUser: find("dovenull") ? "dovenull" : mail[0],
    root: true,
  };
}

/** Reserves `count` distinct free loopback ports (closed again before Dovecot binds them). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/**
 * Whether the port answers with a greeting line starting with `prefix` (or, without a prefix,
 * accepts at all). A bare accept proves little: the kernel queues connections on the master's
 * socket before any login process or the auth service exists, and Dovecot greets only when
 * both are up.
 */
function answers(port: number, prefix?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let data = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once("connect", () => {
      if (prefix === undefined) done(true);
    });
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
      if (data.includes("\n")) done(data.startsWith(prefix ?? ""));
    });
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes whose title ("dovecot-<instance>/<service>") marks them as this instance's. */
function instanceProcesses(titlePrefix: string): Array<{ pid: number; service: string }> {
  const found: Array<{ pid: number; service: string }> = [];
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0")[0];
      if (title.startsWith(titlePrefix)) found.push({ pid: Number(entry), service: title.slice(titlePrefix.length).trim() });
    } catch {
      // gone already
    }
  }
  return found;
}

function killAll(processes: Array<{ pid: number }>, signal: NodeJS.Signals): void {
  for (const { pid } of processes) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

function passwordField(password: string): string {
  // Base64 keeps any character of a test password intact.
  return `{PLAIN.b64}${Buffer.from(password, "utf8").toString("base64")}`;
}

function headerDate(raw: Buffer): Date | undefined {
  const text = raw.subarray(0, 64 * 1024).toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const headers = end === -1 ? text : text.slice(0, end);
  const match = /^Date:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(headers);
  if (!match) return undefined;
  const date = new Date(match[1].replace(/\r?\n/g, " ").trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function nextMaildirName(): string {
  const micros = Math.max(Date.now() * 1000, lastMaildirMicros + 1);
  lastMaildirMicros = micros;
  const secs = Math.floor(micros / 1_000_000);
  const usecs = micros % 1_000_000;
  return `${secs}.M${usecs}P${process.pid}Q${++maildirCounter}.mailroom-test`;
}

function renderConfig(o: {
  dir: string; instanceName: string; ports: DovecotPorts; pki: TestPki; owner: MailOwner; oauth?: DovecotOAuth; noTls?: boolean; sessions?: number;
}): string {
  const { dir, ports, owner } = o;
  const authConf = path.join(dir, "auth-dict.conf.ext");
  // Rootless Dovecot cannot chroot its login and anvil processes.
  const noChroot = owner.root ? "" : "  chroot =\n";
  return `# Generated by tests/harness/dovecot.ts for one test file.
protocols = imap pop3
listen = 127.0.0.1
instance_name = ${o.instanceName}
base_dir = ${path.join(dir, "run")}
state_dir = ${path.join(dir, "state")}
log_path = ${path.join(dir, "dovecot.log")}
default_internal_user = ${owner.internalUser}
default_login_user = ${owner.loginUser}
${owner.internalGroup ? `default_internal_group = ${owner.internalGroup}\n` : ""}first_valid_uid = ${owner.uid}
first_valid_gid = ${owner.gid}

${o.noTls ? "# A server without TLS: no STARTTLS/STLS, no IMAPS/POP3S listeners.\nssl = no" : `ssl = yes
ssl_cert = <${o.pki.certFile}
ssl_key = <${o.pki.keyFile}`}

# The app decides whether to send passwords in the clear; the server must not hide that choice.
disable_plaintext_auth = no
auth_mechanisms = plain login${o.oauth ? " xoauth2 oauthbearer" : ""}
auth_failure_delay = 0
# Tests open many sessions for one user from one address.
mail_max_userip_connections = 100
mail_location = maildir:~/Maildir
mail_fsync = never

# Users live in a dict file, not a passwd-file: Dovecot 2.3 re-reads a passwd-file at most
# once a second and only when its mtime or size changed, so a user added or a password changed
# right after a login went unseen. The file dict reloads whenever the file's inode changes.
# Dovecot 2.3 holds back every failed login for up to 500 ms (auth_failure_delay = 0 does not
# skip its failure queue), and the "nodelay" field of the passdb that failed is discarded.
# A first passdb that authenticates nobody but sets nodelay keeps the field for all logins.
passdb {
  driver = static
  args = noauthenticate=yes nodelay=yes
}
${o.oauth ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${path.join(dir, "oauth2.conf.ext")}
}
` : ""}passdb {
  driver = dict
  args = ${authConf}
}
userdb {
  driver = dict
  args = ${authConf}
}

service imap-login {
${o.sessions ? `  # Many sessions held open (push): login processes proxy TLS for many clients each.
  service_count = 0
  client_limit = ${o.sessions}
  process_min_avail = 2
  vsz_limit = 1G
` : ""}${noChroot}  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
${o.noTls ? "" : `  inet_listener imaps {
    address = 127.0.0.1
    port = ${ports.imaps}
    ssl = yes
  }
`}}
service pop3-login {
${noChroot}  inet_listener pop3 {
    address = 127.0.0.1
    port = ${ports.pop3}
  }
${o.noTls ? "" : `  inet_listener pop3s {
    address = 127.0.0.1
    port = ${ports.pop3s}
    ssl = yes
  }
`}}
${o.sessions ? `# Held IDLE sessions move to the hibernation process after 10 s, as a real server is set up,
# so ${o.sessions} idle clients do not need as many imap processes at once.
default_client_limit = ${o.sessions * 2 + 200}
imap_hibernate_timeout = 10s
# Each imap process watches its INBOX with an inotify instance; past the kernel's
# fs.inotify.max_user_instances (128 by default) Dovecot falls back to checking every
# mailbox_idle_check_interval (30 s by default), so IDLE would announce mail up to 30 s late.
mailbox_idle_check_interval = 1s
service imap {
  process_limit = ${o.sessions + 100}
  unix_listener imap-master {
    mode = 0600
  }
}
service imap-hibernate {
  unix_listener imap-hibernate {
    mode = 0600
  }
}
` : ""}# Without its socket the auth process skips the per-IP "auth penalty", which would otherwise
# delay every login from 127.0.0.1 by 2-15 s after a wrong-password test.
service anvil {
${noChroot}  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

/**
 * OAuth 2.0 sign-in (XOAUTH2, OAUTHBEARER): each token is checked by POSTing it to
 * the test authorization server's introspection shim (tests/harness/oauth-server.ts),
 * which answers {active, username}; Dovecot then requires username = the login name.
 * (Dovecot 2.3 does not expand %u in introspection_url, so the shim never learns the
 * login name: an app-only token passes for the one mailbox its app is allowed.)
 */
function renderOAuthConfig(oauth: DovecotOAuth): string {
  return `introspection_mode = post
introspection_url = ${oauth.introspectionUrl}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
`;
}

function renderAuthConfig(usersFile: string): string {
  return `uri = file:${usersFile}
default_pass_scheme = PLAIN
iterate_disable = yes
key passdb {
  key = passdb/%u
  format = json
}
key userdb {
  key = userdb/%u
  format = json
}
passdb_objects = passdb
userdb_objects = userdb
`;
}

/**
 * Starts a private Dovecot on free loopback ports, with its own config, users and maildirs
 * in a temp folder. Call `stop()` (or `destroy()`) in afterAll.
 */
/** `noTls`: a server that offers no TLS at all (no STARTTLS/STLS; the IMAPS and POP3S ports are not served). */
/** `sessions`: configure for that many IMAP sessions held open at once (push benchmarks): limits and hibernation. */
export async function startDovecot(opts: { pki?: TestPki; oauth?: DovecotOAuth; noTls?: boolean; sessions?: number } = {}): Promise<Dovecot> {
  const bins = ensureDovecotInstalled();
  const pki = opts.pki ?? createTestPki();
  const owner = mailOwner();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailroom-dovecot-"));
  // The mail user and Dovecot's unprivileged processes must reach the homes and users file.
  fs.chmodSync(dir, 0o755);
  const homes = path.join(dir, "home");
  fs.mkdirSync(homes, { mode: 0o755 });
  const instanceName = `mr${process.pid}x${++instanceCounter}`;
  const titlePrefix = `dovecot-${instanceName}/`;
  const confFile = path.join(dir, "dovecot.conf");
  const usersFile = path.join(dir, "users.dict");
  const runDir = path.join(dir, "run");
  const users = new Map<string, string>();
  const pendingUidReset = new Set<string>();

  // A crashed or forgetful test file must not leave daemons behind holding ports.
  removeDirOnExit(dir);
  killProcessesOnExit(`${bins.dovecot} -F -c ${confFile}`);
  killProcessesOnExit(titlePrefix);

  const ports: DovecotPorts = { imap: 0, imaps: 0, pop3: 0, pop3s: 0 };
  const choosePorts = async () => {
    const [imap, imaps, pop3, pop3s] = await freePorts(4);
    Object.assign(ports, { imap, imaps, pop3, pop3s });
    fs.writeFileSync(confFile, renderConfig({ dir, instanceName, ports, pki, owner, oauth: opts.oauth, noTls: opts.noTls, sessions: opts.sessions }));
  };
  fs.writeFileSync(path.join(dir, "auth-dict.conf.ext"), renderAuthConfig(usersFile));
  if (opts.oauth) fs.writeFileSync(path.join(dir, "oauth2.conf.ext"), renderOAuthConfig(opts.oauth));
  fs.writeFileSync(usersFile, "", { mode: 0o644 });

  let master: ChildProcess | undefined;
  let masterExit: Promise<void> | undefined;
  let destroyed = false;

  const chownForMail = (p: string) => {
    if (owner.root) fs.chownSync(p, owner.uid, owner.gid);
  };

  const writeUsers = () => {
    // Dovecot's dict lookups prefix "shared/"; the file alternates key and value lines.
    const lines = [...users].map(([user, password]) => [
      `shared/passdb/${user}`,
      JSON.stringify({ password: passwordField(password) }),
      `shared/userdb/${user}`,
      JSON.stringify({ uid: String(owner.uid), gid: String(owner.gid), home: path.join(homes, user) }),
      "",
    ].join("\n"));
    // Write-then-rename: a new inode is what makes Dovecot reload, and it never sees half a file.
    const tmp = `${usersFile}.tmp`;
    fs.writeFileSync(tmp, lines.join(""), { mode: 0o644 });
    fs.renameSync(tmp, usersFile);
  };

  const requireUser = (user: string) => {
    if (!users.has(user)) throw new Error(`Dovecot test user "${user}" does not exist; call addUser first.`);
  };

  const doveadm = async (args: string[]): Promise<string> => {
    try {
      const { stdout } = await execFileAsync(bins.doveadm, ["-c", confFile, ...args], { encoding: "utf8" });
      return stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`doveadm ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
    }
  };

  const applyUidReset = async (user: string) => {
    // "-f tab" prints a header row, then "mailbox<TAB>uidvalidity" per mailbox.
    const out = await doveadm(["-f", "tab", "mailbox", "status", "-u", user, "uidvalidity", "*"]);
    const rows = out.trim().split("\n").slice(1).map((line) => line.split("\t"));
    const now = Math.floor(Date.now() / 1000);
    for (const [mailbox, current] of rows) {
      const next = Math.max(Number(current) + 1, now);
      await doveadm(["mailbox", "update", "-u", user, "--uid-validity", String(next), mailbox]);
    }
  };

  const readLog = () => {
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
    return (read(path.join(dir, "dovecot.stderr")) + read(path.join(dir, "dovecot.log"))).trim().split("\n").slice(-15).join("\n");
  };

  const start = async () => {
    if (destroyed) throw new Error("This Dovecot was destroyed; start a new one.");
    if (master) return;
    // A stale socket from the last run (the disabled anvil-auth-penalty one above) would make
    // the auth process retry it for 5 s, so every start gets a fresh base_dir.
    fs.rmSync(runDir, { recursive: true, force: true });
    const errFd = fs.openSync(path.join(dir, "dovecot.stderr"), "w");
    // -F keeps the master as our child so we can await its exit; its stdio must not be ours
    // (the daemon would hold the caller's pipes open).
    const child = spawn(bins.dovecot, ["-F", "-c", confFile], { stdio: ["ignore", errFd, errFd] });
    fs.closeSync(errFd);
    master = child;
    let exited = false;
    masterExit = new Promise((resolve) => {
      child.once("exit", () => {
        exited = true;
        resolve();
      });
      child.once("error", () => {
        exited = true;
        resolve();
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    const waiting = new Map<number, string | undefined>([
      [ports.imap, "* OK"],
      [ports.pop3, "+OK"],
      ...(opts.noTls ? [] : ([[ports.imaps, undefined], [ports.pop3s, undefined]] as const)),
    ]);
    while (waiting.size > 0) {
      if (exited) {
        master = undefined;
        throw new Error(`Dovecot did not start:\n${readLog()}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Dovecot did not open its ports within ${START_TIMEOUT_MS} ms:\n${readLog()}`);
      }
      for (const [port, prefix] of [...waiting]) if (await answers(port, prefix)) waiting.delete(port);
      if (waiting.size > 0) await sleep(5);
    }
    for (const user of [...pendingUidReset]) {
      await applyUidReset(user);
      pendingUidReset.delete(user);
    }
  };

  const stop = async () => {
    const child = master;
    if (!child) return;
    master = undefined;
    // Mail sessions first: on SIGTERM they send "* BYE Server shutting down" / "-ERR" as in a
    // real shutdown, so clients see what they would see in production.
    const sessions = () => instanceProcesses(titlePrefix).filter((p) => p.service === "imap" || p.service === "pop3");
    killAll(sessions(), "SIGTERM");
    for (let waited = 0; waited < STOP_GRACE_MS && sessions().length > 0; waited += 5) await sleep(5);
    // Then everything else at once. A SIGTERMed master sleeps a fixed second for its log
    // process, and it does not wait for all its children either (log, anvil, stats and login
    // processes were seen outliving it), so none of them gets a say.
    child.kill("SIGKILL");
    killAll(instanceProcesses(titlePrefix), "SIGKILL");
    await masterExit;
    for (let i = 0; i < 100; i++) {
      const left = instanceProcesses(titlePrefix);
      if (left.length === 0) break;
      killAll(left, "SIGKILL");
      await sleep(5);
    }
  };

  const dovecot: Dovecot = {
    host: "127.0.0.1",
    ports,
    pki,
    async addUser(user, password) {
      if (!USER_NAME.test(user)) throw new Error(`"${user}" is not a usable test login name.`);
      if (users.has(user)) throw new Error(`Dovecot test user "${user}" already exists.`);
      const home = path.join(homes, user);
      const maildir = path.join(home, "Maildir");
      for (const d of [home, maildir, ...["cur", "new", "tmp"].map((s) => path.join(maildir, s))]) {
        fs.mkdirSync(d, { mode: 0o700 });
        chownForMail(d);
      }
      users.set(user, password);
      writeUsers();
    },
    async setPassword(user, password) {
      requireUser(user);
      users.set(user, password);
      writeUsers();
    },
    async deliver(user, raw, deliverOpts = {}) {
      requireUser(user);
      const bytes = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw;
      const date = deliverOpts.date ?? headerDate(bytes) ?? new Date();
      const maildir = path.join(homes, user, "Maildir");
      const name = nextMaildirName();
      const tmp = path.join(maildir, "tmp", name);
      fs.writeFileSync(tmp, bytes, { mode: 0o600 });
      chownForMail(tmp);
      // Maildir's INTERNALDATE is the file's mtime; rename keeps it.
      fs.utimesSync(tmp, date, date);
      fs.renameSync(tmp, path.join(maildir, "new", name));
    },
    async deliverMany(user, messages, deliverOpts) {
      for (const raw of messages) await dovecot.deliver(user, raw, deliverOpts);
    },
    async resetUidValidity(user) {
      requireUser(user);
      if (master) await applyUidReset(user);
      else pendingUidReset.add(user);
    },
    stop,
    start,
    async destroy() {
      await stop();
      destroyed = true;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  // The free ports are released before Dovecot binds them, so another process can take one
  // in between; then pick new ones.
  for (let attempt = 1; ; attempt++) {
    await choosePorts();
    try {
      await start();
      return dovecot;
    } catch (err) {
      if (attempt < 3 && /Address already in use/i.test(String(err))) continue;
      await dovecot.destroy();
      throw err;
    }
  }
}
