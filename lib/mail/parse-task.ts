import { hashSource, parseMessage, type ParsedMessage } from "./parse-message";

/** What the parse pool hands a thread: the raw source (shared memory for big ones, else a copy). */
export type ParseTask = { raw: Uint8Array };
export type ParseResult = { parsed: ParsedMessage; contentHash: string };

/** Parses and hashes one raw source: the work a parse thread does (lib/mail/parse-pool.ts). */
export default async function parseTask({ raw }: ParseTask): Promise<ParseResult> {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const parsed = await parseMessage(buf);
  return { parsed, contentHash: hashSource(buf) };
}
