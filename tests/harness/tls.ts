import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { removeDirOnExit } from "./reap-on-exit";

export type TestKeyPair = { certPem: string; keyPem: string; certFile: string; keyFile: string };

/**
 * A throwaway certificate authority and the certificates the mail test servers present.
 * Clients trust the servers by passing `caPem` as `ca`; certificate checks stay on everywhere.
 */
export type TestPki = TestKeyPair & {
  caPem: string;
  caFile: string;
  /** The folder holding every file of this PKI (removed after the test process exits). */
  dir: string;
  /** A self-signed certificate for the same names, which no client trusts: for rejection tests. */
  untrusted: TestKeyPair;
};

// P-256 keys are made in milliseconds, unlike RSA.
const NEW_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
// Every name a test may dial; tests use 127.0.0.1 (nodemailer would resolve `localhost` through DNS).
const SERVER_NAMES = "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost";
const SERVER_EXTENSIONS = [
  "-addext", SERVER_NAMES,
  "-addext", "basicConstraints=critical,CA:FALSE",
  "-addext", "keyUsage=critical,digitalSignature",
  "-addext", "extendedKeyUsage=serverAuth",
];

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === "ENOENT") {
      throw new Error("The mail test harness needs the `openssl` command to make test certificates; install the openssl package.");
    }
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

function readPair(dir: string, name: string): TestKeyPair {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  return { certFile, keyFile, certPem: fs.readFileSync(certFile, "utf8"), keyPem: fs.readFileSync(keyFile, "utf8") };
}

/**
 * Makes a fresh test CA (with the `openssl` command), a server certificate it signs for
 * 127.0.0.1, ::1 and localhost, and an untrusted self-signed certificate, in a new temp folder.
 */
export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailroom-pki-"));
  // Nobody owns a PKI's lifetime (servers share it), so it goes when the test process ends.
  removeDirOnExit(dir);
  // Long enough for any test run; a fresh PKI is made for every run anyway.
  const days = ["-days", "30"];
  openssl(["req", "-x509", "-new", ...NEW_EC_KEY, ...days, "-keyout", "ca.key", "-out", "ca.pem",
    "-subj", "/CN=Mailroom Test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  openssl(["req", "-x509", "-new", ...NEW_EC_KEY, ...days, "-keyout", "server.key", "-out", "server.pem",
    "-subj", "/CN=localhost", "-CA", "ca.pem", "-CAkey", "ca.key", ...SERVER_EXTENSIONS], dir);
  openssl(["req", "-x509", "-new", ...NEW_EC_KEY, ...days, "-keyout", "untrusted.key", "-out", "untrusted.pem",
    "-subj", "/CN=localhost", ...SERVER_EXTENSIONS], dir);
  const caFile = path.join(dir, "ca.pem");
  return {
    dir,
    caFile,
    caPem: fs.readFileSync(caFile, "utf8"),
    ...readPair(dir, "server"),
    untrusted: readPair(dir, "untrusted"),
  };
}
