import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Dovecot } from "../../tests/harness/dovecot";
import { round } from "./stats";

const execFileAsync = promisify(execFile);

/**
 * An mbsync channel pulling `user`'s INBOX into a Maildir of its own (fsync on, its default);
 * null without mbsync. It connects to "localhost": mbsync matches the certificate against a
 * host name, not an IP address (the test certificate names both).
 */
export async function mbsyncFor(dovecot: Dovecot, caFile: string, user: string, password: string) {
  try {
    await execFileAsync("mbsync", ["--version"]);
  } catch {
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailroom-mbsync-"));
  fs.mkdirSync(path.join(dir, "mail"));
  const config = path.join(dir, "mbsyncrc");
  fs.writeFileSync(
    config,
    `IMAPAccount acct\nHost localhost\nPort ${dovecot.ports.imaps}\nUser ${user}\nPass ${password}\nSSLType IMAPS\nCertificateFile ${caFile}\n\n` +
      `IMAPStore far\nAccount acct\n\nMaildirStore near\nPath ${path.join(dir, "mail")}/\nInbox ${path.join(dir, "mail", "INBOX")}\n\n` +
      `Channel ch\nFar :far:\nNear :near:\nPatterns INBOX\nCreate Near\nSync Pull\nSyncState *\n`,
  );
  return {
    async run(): Promise<number> {
      const t0 = performance.now();
      await execFileAsync("mbsync", ["-c", config, "-q", "ch"]);
      return round(performance.now() - t0, 1);
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
