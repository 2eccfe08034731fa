import fs from "node:fs";
import path from "node:path";
import type { TestKeyPair, TestPki } from "../../harness/tls";

/** The run's test CA, made by scripts/test.ts, which the web server and worker trust (MAILROOM_EXTRA_CA_FILE). */
export function runPki(): TestPki {
  const dir = process.env.MAILROOM_E2E_PKI_DIR;
  if (!dir) throw new Error("MAILROOM_E2E_PKI_DIR is not set: run browser tests with `npm test -- --e2e`, which makes the test CA.");
  const pair = (name: string): TestKeyPair => {
    const certFile = path.join(dir, `${name}.pem`);
    const keyFile = path.join(dir, `${name}.key`);
    return { certFile, keyFile, certPem: fs.readFileSync(certFile, "utf8"), keyPem: fs.readFileSync(keyFile, "utf8") };
  };
  const caFile = path.join(dir, "ca.pem");
  return { dir, caFile, caPem: fs.readFileSync(caFile, "utf8"), ...pair("server"), untrusted: pair("untrusted") };
}
