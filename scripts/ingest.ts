/**
 * Email-router ingest from a pipe: `npm run ingest -- --mailbox <id> < message.eml`
 * posts the message on standard input to the app's ingest endpoint
 * (MAILROOM_INGEST_URL, default http://localhost:$PORT) with the mailbox's token
 * (MAILROOM_INGEST_TOKEN). Exit codes follow sysexits, so a mail server's pipe
 * transport bounces what can never succeed and retries the rest:
 *   0 stored (or already stored) · 65 not a message / too large · 67 unknown or
 *   non-router mailbox · 77 wrong token · 64 bad arguments · 75 anything else
 *   (app down, 5xx): try again later.
 */
import { env } from "../lib/env";

const EX = { ok: 0, usage: 64, dataErr: 65, noUser: 67, tempFail: 75, noPerm: 77 };
const byStatus: Record<number, number> = { 400: EX.dataErr, 401: EX.noPerm, 404: EX.noUser, 409: EX.noUser, 413: EX.dataErr, 422: EX.dataErr };

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--mailbox");
  const mailboxId = at >= 0 ? args[at + 1] : undefined;
  const e = env();
  if (!mailboxId) {
    console.error("Usage: npm run ingest -- --mailbox <mailbox id> < message.eml   (MAILROOM_INGEST_TOKEN holds the mailbox's token)");
    return EX.usage;
  }
  if (!e.MAILROOM_INGEST_TOKEN) {
    console.error("MAILROOM_INGEST_TOKEN is not set: create the token on the mailbox page and set it in this command's environment.");
    return EX.usage;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const base = e.MAILROOM_INGEST_URL ?? `http://localhost:${e.PORT}`;
  const url = new URL(`/api/ingest/${encodeURIComponent(mailboxId)}`, base);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${e.MAILROOM_INGEST_TOKEN}`, "content-type": "message/rfc822" },
      body: Buffer.concat(chunks),
    });
  } catch (err) {
    console.error(`Could not reach ${url.origin}: ${err instanceof Error ? err.message : String(err)} (will be retried)`);
    return EX.tempFail;
  }
  const text = await res.text();
  if (res.status === 202) {
    console.log(text);
    return EX.ok;
  }
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // not JSON: show it as it came
  }
  console.error(`${res.status}: ${message}`);
  return byStatus[res.status] ?? EX.tempFail;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = EX.tempFail;
  },
);
