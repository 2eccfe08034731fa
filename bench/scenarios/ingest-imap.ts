import { ImapFlow } from "imapflow";
import { runIngest, type RawIngest } from "../lib/ingest";
import type { Scenario } from "../lib/scenario";

/** imapflow: one session, INBOX read-only, one FETCH 1:* of every source (what imapflow does fastest). */
const rawImap: RawIngest = async (dovecot, user, password, ca, parse) => {
  const client = new ImapFlow({ host: dovecot.host, port: dovecot.ports.imaps, secure: true, auth: { user, pass: password }, tls: { ca: [ca] }, logger: false });
  await client.connect();
  let n = 0;
  try {
    await client.mailboxOpen("INBOX", { readOnly: true });
    for await (const msg of client.fetch("1:*", { uid: true, source: true })) {
      if (msg.source) await parse(msg.source);
      n++;
    }
  } finally {
    await client.logout();
  }
  return n;
};

export const ingestImap: Scenario = {
  name: "ingest-imap",
  run: (ctx) => runIngest(ctx, { name: "ingest-imap", protocol: "imap", raw: rawImap, rawLabel: "imapflow FETCH 1:* (UID, BODY[]) over IMAPS in one session + mailparser simpleParser, 16 parses in flight, no database" }),
};
