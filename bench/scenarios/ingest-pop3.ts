import { connectPop3 } from "../../lib/mail/pop3";
import { runIngest, type RawIngest } from "../lib/ingest";
import type { Scenario } from "../lib/scenario";

/** Our POP3 client: one POP3S session, UIDL, then RETR of each message in turn (POP3 has no pipelining here). */
const rawPop3: RawIngest = async (dovecot, user, password, ca, parse) => {
  const client = await connectPop3({ host: dovecot.host, port: dovecot.ports.pop3s, tls: "implicit", ca, timeoutMs: 30_000 });
  let n = 0;
  try {
    await client.login(user, password);
    const list = await client.uidl();
    for (const { n: number } of list) {
      const stream = await client.retr(number);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      await parse(Buffer.concat(chunks));
      n++;
    }
    await client.quit();
  } finally {
    client.close();
  }
  return n;
};

export const ingestPop3: Scenario = {
  name: "ingest-pop3",
  run: (ctx) => runIngest(ctx, { name: "ingest-pop3", protocol: "pop3", raw: rawPop3, rawLabel: "lib/mail/pop3.ts over POP3S: UIDL, RETR each in turn + mailparser simpleParser, 16 parses in flight, no database" }),
};
